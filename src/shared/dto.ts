/** Data shapes that cross the API boundary. Plain JSON: no Dates, no Buffers, no classes. */

/** Where a photo stands after import. */
export type PhotoStatus = 'ok' | 'skipped';

export interface ProjectInfo {
  /** Absolute path of the project's SQLite file. */
  path: string;
  /** File name without extension, for the title bar. */
  name: string;
  /** SQLite `user_version` after migrations. */
  schemaVersion: number;
}

export interface FolderDto {
  id: number;
  /** Absolute path on disk. Shown to the user; never used by the renderer to read files. */
  path: string;
  classesFromFolders: boolean;
  /** Epoch ms of the last finished scan, or null if never scanned. */
  lastScanAt: number | null;
  /** False when the folder no longer exists on disk. */
  present: boolean;
  photoCount: number;
}

export interface PhotoDto {
  id: number;
  folderId: number;
  /** Path relative to the folder, with forward slashes. */
  relPath: string;
  /** File name only, for display and search. */
  name: string;
  /** Bytes. */
  size: number;
  /** File modification time, epoch ms. */
  mtime: number;
  /** Pixels, after EXIF orientation is applied; null when unreadable. */
  width: number | null;
  height: number | null;
  split: string | null;
  status: PhotoStatus;
  /** Why the photo was skipped (corrupt, not an image, …); null when status is ok. */
  error: string | null;
  /** Id of the labeled class, or null. */
  classId: number | null;
  labelSource: 'user' | 'model' | null;
}

export interface ClassDto {
  id: number;
  name: string;
  /** CSS color, `#rrggbb`. */
  color: string;
  /** Single key that assigns this class (e.g. "1"), or null. */
  hotkey: string | null;
  /** 0-based order in the classes panel. */
  position: number;
  /** Number of photos labeled with this class. */
  count: number;
}

export interface SkippedFile {
  /** Absolute path. */
  path: string;
  reason: string;
}

export interface ImportResult {
  folderId: number;
  /** Photos (status ok) in the whole project after the import. */
  photos: number;
  added: number;
  removed: number;
  updated: number;
  /** Files moved or renamed inside the folder that kept their label (same content hash). */
  moved: number;
  /** Exact duplicates (same content hash as a photo already in the project) that were skipped. */
  duplicates: number;
  /** Class name → labeled photo count, over the whole project. */
  classes: Record<string, number>;
  /** Split name → photo count, over the whole project. */
  splits: Record<string, number>;
  skipped: SkippedFile[];
  /** Wall time, ms. */
  elapsedMs: number;
}

export interface ProjectStats {
  photos: number;
  labeled: number;
  unlabeled: number;
  skipped: number;
  classes: Record<string, number>;
  splits: Record<string, number>;
}

export interface LabelChangeResult {
  /** Photos whose label actually changed. */
  changed: number;
  canUndo: boolean;
  canRedo: boolean;
}

export interface PhotoPage {
  /** Number of photos matching the query, over all pages. */
  total: number;
  offset: number;
  items: PhotoDto[];
}

export type ProgressPhase = 'scan' | 'hash' | 'thumbnails';

export interface ImportProgress {
  phase: ProgressPhase;
  done: number;
  total: number;
  /** Path being worked on, absolute. */
  currentPath: string;
  /** Items per second over the phase so far. */
  rate: number;
}

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow' (native, GPU or CPU), 'wasm' or 'cpu'. */
  backend: string;
  device: 'gpu' | 'cpu';
  /** Human label, e.g. "CPU · WebAssembly (tfjs-node not installed)". */
  label: string;
  /** Why each better backend was not used, in order of preference. */
  unavailable: { name: string; reason: string }[];
}

export interface BackboneStatus {
  id: string;
  displayName: string;
  /** True when weights are present locally and the backbone can be loaded. */
  ready: boolean;
  /** Absolute path of the weights file or folder when ready. */
  weightsPath: string | null;
  /** Download size, bytes, when known. */
  sizeBytes: number | null;
  preprocessing: string;
  /** Feature vector length after global pooling. */
  featureDim: number;
  note: string | null;
}

export interface AppInfo {
  version: string;
  transport: 'electron' | 'http' | 'direct';
  project: ProjectInfo | null;
}
