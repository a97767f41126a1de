/**
 * What serve mode needs from the application: the part of `App` (services/app.ts) that crosses
 * HTTP. Kept structural so the server can be tested over any object of this shape.
 */
import type { EventMap, EventName, InvokeEnvelope, PhotoVariant } from '../../shared/contract';
import type { PhotoBody } from '../services/photo-file';

export interface ServeBackend {
  /** Validates and runs one invoke; never throws. */
  dispatch(channel: unknown, request: unknown): Promise<InvokeEnvelope>;
  /** The file (or thumbnail bytes) behind a photo id; throws AppError NOT_FOUND / FORBIDDEN. */
  photoFile(photoId: number, variant: PhotoVariant): Promise<PhotoBody>;
  readonly events: {
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  };
}
