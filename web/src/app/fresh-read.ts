// A read of something that changes under the reader (the room list, a room's details). Asked while a
// read is on its way, it reads once more after that one: what asked (a frame, the answer to a command)
// may be newer than what the read in flight will find, since the read models catch up a little after
// each command. Everything that asks meanwhile shares that one next read.
export class FreshRead {
  private inFlight?: Promise<void>;
  private next?: Promise<void>;

  constructor(private readonly read: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.inFlight) {
      this.next ??= this.inFlight
        .catch(() => undefined)
        .then(() => {
          this.next = undefined;
          return this.run();
        });
      return this.next;
    }
    const read = this.read().finally(() => {
      if (this.inFlight === read) this.inFlight = undefined;
    });
    this.inFlight = read;
    return read;
  }
}
