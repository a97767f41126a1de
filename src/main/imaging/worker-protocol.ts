/** Messages between the import's main thread and its photo workers (structured clone). */
import type { InspectTask, Inspection } from './inspect-photo';

export interface WorkerTask extends InspectTask {
  id: number;
  /** The thumbnail cache database, to skip photos that already have a thumbnail. */
  thumbnailFile: string;
  /** better_sqlite3.node for Electron's ABI, when the app runs inside Electron. */
  nativeBinding?: string;
}

export type WorkerReply = { id: number; ok: true; result: Inspection } | { id: number; ok: false; message: string };
