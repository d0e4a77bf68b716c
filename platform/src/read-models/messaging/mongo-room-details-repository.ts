// The room details in MongoDB (FerretDB too): one document per room, per generation.
import type { Collection, Db } from 'mongodb';
import { RoomDetailsDocuments, type RoomDetailsRecord, type StoredRoomDetails } from './room-details-repository';
import { isDuplicateKeyError } from './mongo-errors';

interface RoomDocument {
  _id: string;
  details: RoomDetailsRecord;
  deleted: boolean;
  lastPosition: number;
}

export class MongoRoomDetailsRepository extends RoomDetailsDocuments {
  private readonly collection: Collection<RoomDocument>;

  /** `generation` names the collection, so a rebuild can fill a new one beside the live one. */
  constructor(db: Db, generation: number) {
    super();
    this.collection = db.collection<RoomDocument>(`room_details_g${generation}`);
  }

  protected async load(roomId: string): Promise<StoredRoomDetails | undefined> {
    const document = await this.collection.findOne({ _id: roomId });
    return document ? { details: document.details, deleted: document.deleted, lastPosition: document.lastPosition } : undefined;
  }

  protected async insert(room: StoredRoomDetails): Promise<void> {
    try {
      await this.collection.insertOne({ _id: room.details.roomId, ...room });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  protected async replace(room: StoredRoomDetails, readAtPosition: number): Promise<void> {
    await this.collection.replaceOne({ _id: room.details.roomId, lastPosition: readAtPosition }, { ...room });
  }

  async drop(): Promise<void> {
    await this.collection.drop().catch(() => undefined);
  }
}
