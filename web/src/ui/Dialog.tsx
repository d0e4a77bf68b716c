// A modal dialog on the native <dialog>: focus moves in, Escape closes, focus returns after; and the
// dialog that asks before an action that cannot be undone.
import { useEffect, useId, useRef, useState } from 'react';

export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: React.ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    dialog?.showModal();
    return () => {
      dialog?.close();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={id}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

/**
 * A dialog holding one form: its fields, the problem to show (if any), then Cancel and the submit button.
 * `onSubmit` runs on submit (Enter included); the default submission is prevented.
 */
export function FormDialog({
  title,
  submitLabel,
  danger = false,
  busy = false,
  problem,
  onSubmit,
  onClose,
  children,
}: {
  title: string;
  submitLabel: string;
  danger?: boolean;
  busy?: boolean;
  problem?: string;
  onSubmit: () => void;
  onClose: () => void;
  children: React.ReactNode;
}) {
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        {children}
        {problem && (
          <p className="form-error" role="alert">
            {problem}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={danger ? 'primary danger' : 'primary'} disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Asks before an action; `onConfirm` answers whether it was done (the dialog closes) or refused (it stays). */
export function ConfirmDialog({
  title,
  confirmLabel,
  onConfirm,
  onClose,
  children,
}: {
  title: string;
  confirmLabel: string;
  onConfirm: () => Promise<boolean>;
  onClose: () => void;
  children: React.ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <FormDialog
      title={title}
      submitLabel={confirmLabel}
      danger
      busy={busy}
      onSubmit={() => {
        setBusy(true);
        void onConfirm().then((done) => (done ? onClose() : setBusy(false)));
      }}
      onClose={onClose}
    >
      {children}
    </FormDialog>
  );
}
