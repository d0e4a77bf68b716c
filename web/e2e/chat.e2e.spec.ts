// End to end: the built web client served by the compiled embedded app (npm run build first; npm test
// does), driven in Debian's Chromium by two people in two browser contexts. Screenshots of the main
// screens at desktop and phone width go to web/e2e-screenshots/. Without Chromium the suite is
// skipped and says so, unless REQUIRE_INTEGRATION=1, which makes that a failure.
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../platform/src/http/testing/service-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const SCREENSHOTS = path.join(root, 'web/e2e-screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const visible = (locator: Locator, timeout = 15_000) => locator.first().waitFor({ state: 'visible', timeout });
const gone = (locator: Locator, timeout = 15_000) => locator.first().waitFor({ state: 'hidden', timeout });

const missing = !existsSync(CHROMIUM);
const required = process.env.REQUIRE_INTEGRATION === '1';

if (missing && required) {
  describe('web client end to end (chromium)', () => {
    it(`needs Chromium at ${CHROMIUM}`, () => {
      throw new Error(`${CHROMIUM} is missing, and this run requires the browser tests (apt-get install chromium)`);
    });
  });
} else {
  (missing ? describe.skip : describe)(missing ? `web client end to end [skipped: ${CHROMIUM} not found]` : 'web client end to end (chromium)', () => {
    let app: ServiceProcess;
    let browser: Browser;
    let aliceContext: BrowserContext;
    let bobContext: BrowserContext;
    let alice: Page;
    let bob: Page;
    /** Uncaught errors and console errors in either page (failed requests the tests cause on purpose aside). */
    const pageProblems: string[] = [];
    const watch = (page: Page, who: string) => {
      page.on('pageerror', (error) => pageProblems.push(`${who}: ${error.message}`));
      page.on('console', (entry) => {
        if (entry.type() === 'error' && !/Failed to load resource|net::ERR_|WebSocket connection/.test(entry.text())) pageProblems.push(`${who}: ${entry.text()}`);
      });
    };
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
    const aliceName = `alice_${suffix}`;
    const bobName = `bob_${suffix}`;

    const shoot = async (page: Page, name: string) => {
      // Away from any message, whose actions would show on hover.
      await page.mouse.move(1, 1);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    };
    const composer = (page: Page) => page.getByLabel('Message', { exact: true });
    const send = async (page: Page, text: string) => {
      await composer(page).fill(text);
      await composer(page).press('Enter');
    };
    const message = (page: Page, text: string) => page.locator('article.message', { has: page.locator('.text', { hasText: text }) });
    const roomRow = (page: Page, name: string) => page.locator(`.room-row[data-room-name="${name}"]`);
    const openRoom = async (page: Page, name: string) => {
      await roomRow(page, name).getByRole('link').click();
      await visible(page.getByRole('heading', { level: 1, name }));
    };
    const messageAction = async (page: Page, text: string, action: string) => {
      const article = message(page, text).first();
      await article.hover();
      await article.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: action, exact: true }).click();
    };

    /** A call to the API as a third person would make it, outside the browsers. */
    const post = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      expect(response.status).toBeLessThan(300);
      return (await response.json()) as Record<string, unknown>;
    };

    const openPanel = async (page: Page) => {
      const toggle = page.getByRole('button', { name: 'Room details', exact: true });
      if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
      await visible(page.getByRole('complementary', { name: 'Room details' }));
    };

    const register = async (page: Page, username: string, displayName: string) => {
      await page.goto(`${app.url}/`);
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Display name (optional)').fill(displayName);
      await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
      await page.getByLabel('Repeat the password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await visible(page.locator('[data-connection="live"]'));
    };

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      for (const built of ['embedded/dist/main.js', 'web/dist/index.html']) {
        if (!existsSync(path.join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
      }
      app = await startServiceProcess(path.join(root, 'embedded/dist/main.js'), { REALTIME_PORT: String(await freePort()) });
      await eventually(async () => (await fetch(`${app.url}/health/ready`)).ok, 'the app is ready');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
      aliceContext = await browser.newContext({ viewport: DESKTOP });
      bobContext = await browser.newContext({ viewport: DESKTOP });
      await aliceContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
      alice = await aliceContext.newPage();
      bob = await bobContext.newPage();
      watch(alice, 'alice');
      watch(bob, 'bob');
    });

    // A failing step often fails because of the server: its warnings and errors logged so far go with the failure.
    let logsShown = 0;
    afterEach((context) => {
      if (context.task.result?.state !== 'fail' || !app) return;
      const problems = app.logs.slice(logsShown).filter((line) => typeof line.level === 'number' && line.level >= 40);
      logsShown = app.logs.length;
      if (problems.length > 0) process.stderr.write(`server warnings and errors before "${context.task.name}":\n${problems.map((line) => JSON.stringify(line)).join('\n')}\n`);
    });

    afterAll(async () => {
      await browser?.close();
      await app?.stop();
    });

    it('shows the server’s and its own validation on the registration form', async () => {
      await alice.goto(`${app.url}/rooms`);
      await visible(alice.getByRole('heading', { name: 'Sign in' }));
      await shoot(alice, 'desktop-login');
      await alice.getByRole('link', { name: 'Create an account' }).click();
      await alice.getByLabel('Username').fill('A b');
      await alice.getByLabel('Password', { exact: true }).fill('short');
      await alice.getByRole('button', { name: 'Create account' }).click();
      await visible(alice.getByText('Only letters, digits, “_” and “.”'));
      await visible(alice.getByText('At least 8 characters', { exact: true }));
      await shoot(alice, 'desktop-register-errors');
    });

    it('registers two people, and one starts a direct chat with the other found by search', async () => {
      await register(alice, aliceName, 'Alice');
      await register(bob, bobName, 'Bob');
      await alice.getByLabel('Find people').fill(bobName.slice(0, 6));
      // The result says whether Bob is online in its name too.
      await alice.getByRole('button', { name: 'Chat with Bob, online' }).click();
      await visible(alice.getByRole('heading', { level: 1, name: 'Bob' }));
      expect(alice.url()).toMatch(/\/rooms\/[0-9a-f-]{36}$/);
      // Bob is signed in: his presence says so in words as well as in colour.
      await visible(roomRow(alice, 'Bob').getByRole('img', { name: 'Online', exact: true }));
      await visible(alice.locator('.room-subtitle', { hasText: /^online$/ }));
    });

    it('exchanges messages live, with the typing indicator', async () => {
      await send(alice, 'Hi Bob, how are you?');
      await visible(message(alice, 'Hi Bob, how are you?').and(alice.locator('[data-seq]')));
      await openRoom(bob, 'Alice');
      await visible(message(bob, 'Hi Bob, how are you?'));
      await composer(bob).pressSequentially('Fine, tha', { delay: 40 });
      await visible(alice.locator('.typing', { hasText: 'Bob is typing…' }));
      await visible(roomRow(alice, 'Bob').getByText('Bob is typing…'));
      await composer(bob).pressSequentially('nks!', { delay: 40 });
      await composer(bob).press('Shift+Enter');
      await composer(bob).pressSequentially('And you?');
      await bob.getByRole('button', { name: 'Emoji' }).click();
      await bob.locator('em-emoji-picker input[type="search"]').fill('rocket');
      await bob.locator('em-emoji-picker button[aria-label="🚀"]').first().click();
      await composer(bob).press('Enter');
      await visible(message(alice, 'Fine, thanks!\nAnd you?🚀'));
      await gone(alice.locator('.typing', { hasText: 'Bob is typing…' }));
      await composer(alice).fill('x'.repeat(4001));
      await visible(alice.getByText('1 character over the limit of 4000'));
      expect(await alice.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
      await composer(alice).fill('');
    });

    it('creates a group with a member; the member sees an unread badge and the new-messages divider', async () => {
      await alice.getByRole('button', { name: 'New group' }).click();
      const dialog = alice.getByRole('dialog', { name: 'New group' });
      await dialog.getByLabel('Name').fill('Team');
      await dialog.getByLabel('Topic (optional)').fill('Planning the launch');
      await dialog.getByLabel('Add members').fill(bobName.slice(0, 6));
      await dialog.getByRole('button', { name: 'Add Bob' }).click();
      await dialog.getByRole('button', { name: 'Create group' }).click();
      await visible(alice.getByRole('heading', { level: 1, name: 'Team' }));
      await visible(roomRow(bob, 'Team'));
      await send(alice, 'Welcome to the team');
      await send(alice, 'Launch is on Friday');
      await visible(roomRow(bob, 'Team').getByLabel('2 unread'));
      await shoot(bob, 'desktop-unread-badge');
      const markedRead = bob.waitForResponse((response) => /\/api\/rooms\/[^/]+\/read$/.test(response.url()) && response.status() === 204);
      await openRoom(bob, 'Team');
      const divider = bob.getByRole('separator', { name: 'New messages' });
      await visible(divider);
      const dividerBox = await divider.boundingBox();
      const firstBox = await message(bob, 'Welcome to the team').boundingBox();
      expect(dividerBox!.y).toBeLessThan(firstBox!.y);
      await gone(roomRow(bob, 'Team').locator('.badge'));
      // Marked read on the server as they came into view: the badge stays away after leaving.
      await markedRead;
      await openRoom(bob, 'Alice');
      await bob.waitForTimeout(800);
      expect(await roomRow(bob, 'Team').locator('.badge').count()).toBe(0);
      await openRoom(bob, 'Team');
    });

    it('reacts, edits, deletes and pins, seen live by the other', async () => {
      await messageAction(bob, 'Launch is on Friday', 'React');
      await bob.getByRole('button', { name: 'React with 🎉' }).click();
      await visible(message(alice, 'Launch is on Friday').getByRole('button', { name: '🎉 1: Bob' }));

      await messageAction(alice, 'Welcome to the team', 'Edit');
      await composer(alice).fill('Welcome to the launch team');
      await composer(alice).press('Enter');
      await visible(message(bob, 'Welcome to the launch team').locator('.edited-mark'));

      await send(alice, 'A message sent by mistake');
      await visible(message(bob, 'A message sent by mistake'));
      alice.once('dialog', (dialog) => void dialog.accept());
      await messageAction(alice, 'A message sent by mistake', 'Delete');
      await gone(message(bob, 'A message sent by mistake'));
      await visible(bob.getByText('This message was deleted'));

      await messageAction(alice, 'Launch is on Friday', 'Pin');
      await visible(message(bob, 'Launch is on Friday').locator('.pinned-mark'));
      await openPanel(bob);
      const panel = bob.getByRole('complementary', { name: 'Room details' });
      await visible(panel.locator('.pins', { hasText: 'Launch is on Friday' }));
      await shoot(bob, 'desktop-room-panel');
      await panel.getByRole('button', { name: 'Close the room details' }).click();
      await shoot(alice, 'desktop-group');
    });

    it('copies a message’s text to the clipboard', async () => {
      await messageAction(alice, 'Launch is on Friday', 'Copy');
      await eventually(async () => (await alice.evaluate(() => navigator.clipboard.readText())) === 'Launch is on Friday', 'the clipboard holds the text');
    });

    it('forwards a message to another room, marked as forwarded', async () => {
      await messageAction(bob, 'Launch is on Friday', 'Forward');
      const dialog = bob.getByRole('dialog', { name: 'Forward to…' });
      await dialog.getByLabel('Alice').check();
      await dialog.getByRole('button', { name: 'Forward' }).click();
      await openRoom(alice, 'Bob');
      const forwarded = message(alice, 'Launch is on Friday');
      await visible(forwarded.locator('.forwarded-mark'));
      await shoot(alice, 'desktop-direct');
    });

    it('replies with a preview of the message replied to', async () => {
      await openRoom(bob, 'Team');
      await messageAction(bob, 'Launch is on Friday', 'Reply');
      await visible(bob.getByText('Replying to Alice:'));
      await send(bob, 'Friday works for me');
      await openRoom(alice, 'Team');
      const reply = message(alice, 'Friday works for me');
      await visible(reply.locator('.reply-preview', { hasText: 'Launch is on Friday' }));
    });

    it('shows the announcement as a banner, and dims a muted room', async () => {
      await openPanel(alice);
      const panel = alice.getByRole('complementary', { name: 'Room details' });
      await panel.getByRole('textbox', { name: 'Announcement' }).fill('Launch checklist is pinned');
      await panel.getByRole('button', { name: 'Save announcement' }).click();
      await visible(bob.getByRole('note', { name: 'Announcement' }).filter({ hasText: 'Launch checklist is pinned' }));
      await panel.getByLabel('Mute this room').check();
      await visible(alice.locator('.room-row.muted[data-room-name="Team"]'));
      await panel.getByLabel('Mute this room').uncheck();
      await gone(alice.locator('.room-row.muted[data-room-name="Team"]'));
      await panel.getByRole('button', { name: 'Close the room details' }).click();
    });

    it('shows message actions by role: a member may not pin or delete another’s message, a moderator may', async () => {
      const article = message(bob, 'Launch is on Friday').first();
      await article.hover();
      const toolbar = article.getByRole('toolbar', { name: 'Message actions' });
      await visible(toolbar.getByRole('button', { name: 'Reply' }));
      for (const action of ['Unpin', 'Delete', 'Edit']) expect(await toolbar.getByRole('button', { name: action, exact: true }).count()).toBe(0);
      await openPanel(alice);
      const panel = alice.getByRole('complementary', { name: 'Room details' });
      await panel.getByLabel('Role of Bob').selectOption('moderator');
      await article.hover();
      await visible(toolbar.getByRole('button', { name: 'Unpin', exact: true }));
      await visible(toolbar.getByRole('button', { name: 'Delete', exact: true }));
      expect(await toolbar.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);
      await panel.getByRole('button', { name: 'Close the room details' }).click();
    });

    it('loads older history when scrolled up and keeps the reader’s place; only the rows in view are rendered', async () => {
      const carol = (await post('/api/auth/register', { username: `carol_${suffix}`, password: 'correct horse battery', displayName: 'Carol' })) as { accessToken: string };
      const found = (await (await fetch(`${app.url}/api/users?query=${aliceName}`, { headers: { authorization: `Bearer ${carol.accessToken}` } })).json()) as { id: string }[];
      const { room } = (await post('/api/rooms/direct', { userId: found[0]!.id }, carol.accessToken)) as { room: { id: string } };
      for (let n = 1; n <= 120; n += 1) await post(`/api/rooms/${room.id}/messages`, { clientMessageId: `history-${n}`, text: `History ${n}` }, carol.accessToken);
      await visible(roomRow(alice, 'Carol'));
      await openRoom(alice, 'Carol');
      await visible(message(alice, 'History 120'));
      expect(await alice.locator('article.message').count()).toBeLessThan(60);
      const scroller = alice.getByRole('log', { name: 'Messages' });
      await scroller.evaluate((element) => (element.scrollTop = 0));
      await visible(alice.locator('article.message[data-seq="70"]'));
      await alice.waitForTimeout(300);
      const view = (await scroller.boundingBox())!;
      const kept = (await alice.locator('article.message[data-seq="71"]').boundingBox())!;
      expect(kept.y).toBeGreaterThanOrEqual(view.y - 80);
      expect(kept.y).toBeLessThan(view.y + view.height);
      expect(await alice.locator('article.message').count()).toBeLessThan(60);
      // A new message while the reader is up in the history: nothing moves, a button offers the way down.
      const before = (await alice.locator('article.message[data-seq="71"]').boundingBox())!;
      await post(`/api/rooms/${room.id}/messages`, { clientMessageId: 'history-121', text: 'History 121' }, carol.accessToken);
      await visible(alice.getByRole('button', { name: 'New messages ↓' }));
      const after = (await alice.locator('article.message[data-seq="71"]').boundingBox())!;
      expect(after.y).toBe(before.y);
      await shoot(alice, 'desktop-history');
      await alice.getByRole('button', { name: 'New messages ↓' }).click();
      await visible(message(alice, 'History 121'));
    });

    it('loses no message and doubles none when one side goes offline, and sends what was written offline once', async () => {
      await openRoom(alice, 'Team');
      await visible(bob.getByRole('heading', { level: 1, name: 'Team' }));
      const teamId = bob.url().split('/').pop()!;
      // How Bob catches up: the server resumes from his cursor; the history over HTTP is not read again.
      const authFrames: { cursors?: Record<string, number> }[] = [];
      const gapReads: string[] = [];
      bob.on('websocket', (socket) =>
        socket.on('framesent', ({ payload }) => {
          const frame = JSON.parse(String(payload)) as { type: string; cursors?: Record<string, number> };
          if (frame.type === 'auth') authFrames.push(frame);
        }),
      );
      bob.on('request', (request) => {
        if (/\/messages\?.*after=/.test(request.url())) gapReads.push(request.url());
      });
      await bobContext.setOffline(true);
      await visible(bob.locator('[data-connection="offline"]'));
      for (const text of ['While away 1', 'While away 2', 'While away 3']) await send(alice, text);
      await send(bob, 'Written offline');
      await visible(message(bob, 'Written offline').and(bob.locator('[data-status="pending"]')));
      await bob.waitForTimeout(1000);
      expect(await message(alice, 'Written offline').count()).toBe(0);
      // Alice sees Bob go offline, live, and come back.
      await visible(roomRow(alice, 'Bob').getByRole('img', { name: /^Offline, last seen / }));
      await bobContext.setOffline(false);
      await visible(bob.locator('[data-connection="live"]'));
      await visible(roomRow(alice, 'Bob').getByRole('img', { name: 'Online', exact: true }));
      await visible(message(bob, 'While away 3'));
      await visible(message(alice, 'Written offline'));
      await bob.waitForTimeout(1500);
      for (const page of [alice, bob]) {
        const texts = await page.locator('article.message[data-seq] .text').allInnerTexts();
        const seqs = (await page.locator('article.message[data-seq]').evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-seq'))))) as number[];
        for (const text of ['While away 1', 'While away 2', 'While away 3', 'Written offline']) expect(texts.filter((t) => t === text)).toHaveLength(1);
        expect(texts.indexOf('While away 1')).toBeLessThan(texts.indexOf('While away 2'));
        expect(texts.indexOf('While away 2')).toBeLessThan(texts.indexOf('While away 3'));
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(seqs.length);
        expect(await page.locator('article.message.outgoing').count()).toBe(0);
      }
      expect(authFrames.map((frame) => frame.cursors?.[teamId])).toEqual([expect.any(Number)]);
      expect(gapReads).toEqual([]);
    });

    it('reloads a room too far behind for the server’s resume, showing its latest messages once each', async () => {
      const carol = (await post('/api/auth/login', { username: `carol_${suffix}`, password: 'correct horse battery' })) as { accessToken: string };
      await openRoom(alice, 'Carol');
      const carolRoomId = alice.url().split('/').pop()!;
      const resyncs: unknown[] = [];
      alice.on('websocket', (socket) =>
        socket.on('framereceived', ({ payload }) => {
          const frame = JSON.parse(String(payload)) as { type: string; data?: unknown };
          if (frame.type === 'resync') resyncs.push(frame.data);
        }),
      );
      await aliceContext.setOffline(true);
      await visible(alice.locator('[data-connection="offline"]'));
      // More than the 200 a resume sends for one room.
      for (let n = 1; n <= 205; n += 1) await post(`/api/rooms/${carolRoomId}/messages`, { clientMessageId: `missed-${n}`, text: `Missed ${n}` }, carol.accessToken);
      await aliceContext.setOffline(false);
      await visible(alice.locator('[data-connection="live"]'));
      await visible(message(alice, 'Missed 205'));
      expect(resyncs).toEqual([{ reason: 'too-far-behind' }]);
      await alice.waitForTimeout(500);
      const texts = await alice.locator('article.message[data-seq] .text').allInnerTexts();
      const seqs = (await alice.locator('article.message[data-seq]').evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-seq'))))) as number[];
      expect(texts.filter((text) => text === 'Missed 205')).toHaveLength(1);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      await openRoom(alice, 'Team');
    });

    it('opens a deep link to a room after signing in, and shows the server’s refusals on the forms', async () => {
      const teamUrl = alice.url();
      expect(teamUrl).toMatch(/\/rooms\/[0-9a-f-]{36}$/);
      const visitorContext = await browser.newContext({ viewport: DESKTOP });
      const visitor = await visitorContext.newPage();
      await visitor.goto(teamUrl);
      await visible(visitor.getByRole('heading', { name: 'Sign in' }));
      await visitor.getByLabel('Username').fill(bobName);
      await visitor.getByLabel('Password').fill('not the password');
      await visitor.getByRole('button', { name: 'Sign in' }).click();
      await visible(visitor.getByText('Wrong username or password'));
      await visitor.getByLabel('Password').fill('correct horse battery');
      await visitor.getByRole('button', { name: 'Sign in' }).click();
      await visible(visitor.getByRole('heading', { level: 1, name: 'Team' }));
      expect(visitor.url()).toBe(teamUrl);
      await visitor.getByRole('link', { name: /Profile settings/ }).click();
      await visitor.getByRole('button', { name: 'Sign out' }).click();
      await visitor.getByRole('link', { name: 'Create an account' }).click();
      await visitor.getByLabel('Username').fill(bobName);
      await visitor.getByLabel('Password', { exact: true }).fill('correct horse battery');
      await visitor.getByLabel('Repeat the password').fill('correct horse battery');
      await visitor.getByRole('button', { name: 'Create account' }).click();
      await visible(visitor.getByText('That username is taken'));
      await visitorContext.close();
    });

    it('refreshes the access token silently before it expires, and signs out when a refresh is refused', async () => {
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await context.newPage();
      watch(page, 'dave');
      await page.clock.install();
      await register(page, `dave_${suffix}`, 'Dave');
      // Fourteen and a half minutes on: the fifteen-minute token is due for its refresh.
      const refreshed = page.waitForResponse((response) => response.url().endsWith('/api/auth/refresh') && response.status() === 200);
      await page.clock.fastForward('14:30');
      await refreshed;
      await page.getByRole('button', { name: 'New group' }).click();
      await page.getByRole('dialog', { name: 'New group' }).getByLabel('Name').fill('After the refresh');
      await page.getByRole('button', { name: 'Create group' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'After the refresh' }));
      await page.route('**/api/auth/refresh', (route) =>
        route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'The refresh token was used already' } }) }),
      );
      await page.clock.fastForward('14:30');
      await visible(page.getByRole('heading', { name: 'Sign in' }));
      await visible(page.getByText('Your session ended: sign in again'));
      await context.close();
    });

    it('clears the history for oneself, and for everyone where the role allows', async () => {
      // In the direct room Bob clears it for himself only: a direct room has no role that clears it for both.
      await openRoom(bob, 'Alice');
      await visible(message(bob, 'Hi Bob, how are you?'));
      await openPanel(bob);
      const bobPanel = bob.getByRole('complementary', { name: 'Room details' });
      await bobPanel.getByRole('button', { name: 'Clear history…' }).click();
      const bobDialog = bob.getByRole('dialog', { name: 'Clear the history?' });
      await visible(bobDialog.getByText('The messages so far disappear for you'));
      expect(await bobDialog.getByLabel('For everyone in the room').count()).toBe(0);
      await bobDialog.getByRole('button', { name: 'Clear history' }).click();
      await gone(message(bob, 'Hi Bob, how are you?'));
      await visible(bob.locator('.history-note', { hasText: 'The history was cleared.' }));
      expect(await bob.locator('article.message').count()).toBe(0);
      await bobPanel.getByRole('button', { name: 'Close the room details' }).click();
      await openRoom(alice, 'Bob');
      await visible(message(alice, 'Hi Bob, how are you?'));

      // Alice owns Team: she clears it for everyone, and Bob sees it go.
      await openRoom(bob, 'Team');
      await visible(message(bob, 'Written offline'));
      await openRoom(alice, 'Team');
      await openPanel(alice);
      const alicePanel = alice.getByRole('complementary', { name: 'Room details' });
      await alicePanel.getByRole('button', { name: 'Clear history…' }).click();
      const aliceDialog = alice.getByRole('dialog', { name: 'Clear the history?' });
      await aliceDialog.getByLabel('For everyone in the room').check();
      await shoot(alice, 'desktop-clear-history');
      await aliceDialog.getByRole('button', { name: 'Clear history' }).click();
      await gone(message(bob, 'Written offline'));
      expect(await bob.locator('article.message').count()).toBe(0);
      await alicePanel.getByRole('button', { name: 'Close the room details' }).click();
      await send(alice, 'A fresh start');
      await visible(message(bob, 'A fresh start'));
    });

    it('renames a group and changes its topic, hands its ownership over, and a member leaves it', async () => {
      await alice.getByRole('button', { name: 'New group' }).click();
      const create = alice.getByRole('dialog', { name: 'New group' });
      await create.getByLabel('Name').fill('Side project');
      await create.getByLabel('Add members').fill(bobName.slice(0, 6));
      await create.getByRole('button', { name: 'Add Bob' }).click();
      await create.getByRole('button', { name: 'Create group' }).click();
      await visible(alice.getByRole('heading', { level: 1, name: 'Side project' }));
      await openRoom(bob, 'Side project');
      await openPanel(alice);
      const panel = alice.getByRole('complementary', { name: 'Room details' });
      // The owner leaves only once someone else owns the group.
      await visible(panel.getByText('To leave, first make another member the owner.'));
      expect(await panel.getByRole('button', { name: 'Leave the group…' }).count()).toBe(0);
      await panel.getByLabel('Group name', { exact: true }).fill('Side quest');
      await panel.getByLabel('Topic', { exact: true }).fill('Weekend hacking');
      await panel.getByRole('button', { name: 'Save name and topic' }).click();
      await visible(bob.getByRole('heading', { level: 1, name: 'Side quest' }));
      await visible(bob.locator('.room-subtitle', { hasText: 'Weekend hacking' }));
      await visible(roomRow(alice, 'Side quest'));
      await shoot(alice, 'desktop-group-admin-panel');

      await panel.getByRole('button', { name: 'Make Bob the owner' }).click();
      await alice.getByRole('dialog', { name: 'Make Bob the owner?' }).getByRole('button', { name: 'Make owner' }).click();
      await panel.getByRole('button', { name: 'Leave the group…' }).click();
      await alice.getByRole('dialog', { name: 'Leave Side quest?' }).getByRole('button', { name: 'Leave', exact: true }).click();
      await gone(roomRow(alice, 'Side quest'));
      expect(alice.url()).toMatch(/\/rooms$/);

      await openPanel(bob);
      const bobPanel = bob.getByRole('complementary', { name: 'Room details' });
      await visible(bobPanel.getByRole('heading', { name: 'Members (1)' }));
      await visible(bobPanel.locator('.member', { hasText: 'Bob (you)' }).getByText('owner'));
      await bobPanel.getByRole('button', { name: 'Close the room details' }).click();
    });

    it('shows a person going offline live, with when they were last seen', async () => {
      await openRoom(alice, 'Bob');
      await visible(roomRow(alice, 'Bob').getByRole('img', { name: 'Online', exact: true }));
      await bobContext.close();
      // After the server's grace for a page reload (2 s), Alice is told.
      await visible(roomRow(alice, 'Bob').getByRole('img', { name: /^Offline, last seen / }));
      await visible(alice.locator('.room-subtitle', { hasText: /^last seen (today|yesterday) at / }));
      await shoot(alice, 'desktop-presence-offline');
    });

    it('works at phone width: the room list, a room, and the settings', async () => {
      await alice.setViewportSize(PHONE);
      await alice.getByRole('link', { name: 'Back to the rooms' }).click();
      await visible(roomRow(alice, 'Team'));
      await shoot(alice, 'phone-room-list');
      await openRoom(alice, 'Team');
      await shoot(alice, 'phone-room');
      await openPanel(alice);
      await shoot(alice, 'phone-room-panel');
      await alice.getByRole('button', { name: 'Close the room details' }).click();
      await alice.getByRole('link', { name: 'Back to the rooms' }).click();
      await openRoom(alice, 'Bob');
      await visible(alice.locator('.room-subtitle', { hasText: /^last seen / }));
      await shoot(alice, 'phone-direct');
      await alice.getByRole('link', { name: 'Back to the rooms' }).click();
      await alice.getByRole('link', { name: /Profile settings/ }).click();
      await visible(alice.getByRole('heading', { name: 'Profile settings' }));
      await shoot(alice, 'phone-settings');
      await alice.setViewportSize(DESKTOP);
    });

    it('edits the profile and lists the active sessions in the settings', async () => {
      await alice.getByLabel('Status').fill('Shipping the launch');
      await alice.getByRole('button', { name: 'Save profile' }).click();
      await visible(alice.getByRole('status').filter({ hasText: 'Saved' }));
      await visible(alice.locator('.sessions .tag', { hasText: 'this device' }));
      await shoot(alice, 'desktop-settings');
    });

    it('raised no error in either page', () => {
      expect(pageProblems).toEqual([]);
    });
  });
}
