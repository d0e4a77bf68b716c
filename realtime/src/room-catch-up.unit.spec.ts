import { RoomCatchUp } from './room-catch-up';

const created = (seq: number) => ({ type: 'message.created', seq });

describe('the seam between a room’s catch-up and its live frames', () => {
  it('sends the frames held during the read, without the messages the read already sent', () => {
    const catchUp = new RoomCatchUp(10);
    catchUp.hold(created(6), 'created 6');
    catchUp.hold({ type: 'message.updated', seq: 4 }, 'updated 4');
    catchUp.hold(created(8), 'created 8');
    expect(catchUp.finish(7)).toEqual(['updated 4', 'created 8']);
    expect(catchUp.done).toBe(true);
  });

  it('keeps dropping messages the read sent until the first live one beyond it', () => {
    const catchUp = new RoomCatchUp(10);
    expect(catchUp.finish(7)).toEqual([]);
    expect(catchUp.admits(created(7))).toBe(false);
    expect(catchUp.done).toBe(false);
    expect(catchUp.admits({ type: 'typing' })).toBe(true);
    expect(catchUp.admits(created(8))).toBe(true);
    expect(catchUp.done).toBe(true);
  });

  it('holds no more than its limit', () => {
    const catchUp = new RoomCatchUp(1);
    expect(catchUp.hold(created(1), 'created 1')).toBe(true);
    expect(catchUp.hold(created(2), 'created 2')).toBe(false);
    expect(catchUp.release()).toEqual(['created 1']);
  });
});
