// emoji-mart's picker (a web component), loaded with its data only when first opened.
import { useEffect, useRef } from 'react';

export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  const pick = useRef(onPick);
  const close = useRef(onClose);
  useEffect(() => {
    pick.current = onPick;
    close.current = onClose;
  });

  useEffect(() => {
    let cancelled = false;
    const element = host.current;
    void Promise.all([import('emoji-mart'), import('@emoji-mart/data')]).then(([{ Picker }, { default: data }]) => {
      if (cancelled || !element) return;
      const picker = new Picker({
        data,
        theme: 'light',
        previewPosition: 'none',
        skinTonePosition: 'none',
        autoFocus: true,
        onEmojiSelect: (emoji: { native: string }) => pick.current(emoji.native),
        onClickOutside: () => close.current(),
      });
      element.replaceChildren(picker as unknown as Node);
    });
    return () => {
      cancelled = true;
      element?.replaceChildren();
    };
  }, []);

  return (
    <div
      className="emoji-picker"
      ref={host}
      role="dialog"
      aria-label="Emoji picker"
      onKeyDown={(event) => {
        if (event.key === 'Escape') close.current();
      }}
    />
  );
}
