import type { Database } from './database';

export type LabelSource = 'user' | 'model';

export interface Label {
  classId: number;
  source: LabelSource;
}

/** One photo's label before or after a change; null means unlabeled. */
export interface LabelWrite {
  photoId: number;
  label: Label | null;
}

/**
 * Current labels of the given photos. Photos that do not exist are absent from the map;
 * existing unlabeled photos map to null.
 */
export function currentLabels(db: Database, photoIds: readonly number[]): Map<number, Label | null> {
  const get = db.prepare(
    'SELECT p.id, l.class_id AS classId, l.source FROM photos p LEFT JOIN labels l ON l.photo_id = p.id WHERE p.id = ?'
  );
  const out = new Map<number, Label | null>();
  for (const id of photoIds) {
    const row = get.get(id) as { id: number; classId: number | null; source: LabelSource | null } | undefined;
    if (!row) continue;
    out.set(id, row.classId === null || row.source === null ? null : { classId: row.classId, source: row.source });
  }
  return out;
}

/** Every label of one class, as writes that would put them back (for undoing a class delete or merge). */
export function labelsOfClass(db: Database, classId: number): LabelWrite[] {
  const rows = db.prepare('SELECT photo_id AS photoId, source FROM labels WHERE class_id = ? ORDER BY photo_id').all(classId) as {
    photoId: number;
    source: LabelSource;
  }[];
  return rows.map((r) => ({ photoId: r.photoId, label: { classId, source: r.source } }));
}

/**
 * Writes labels in one transaction. Photos removed meanwhile are passed over silently. A label
 * settles the photo, so the suggestions rejected for it are forgotten (they would never be
 * shown for a labeled photo anyway; clearing the label later starts afresh).
 */
export function writeLabels(db: Database, writes: readonly LabelWrite[], now = Date.now()): void {
  const upsert = db.prepare(
    `INSERT INTO labels (photo_id, class_id, source, created_at)
     SELECT @photoId, @classId, @source, @now WHERE EXISTS (SELECT 1 FROM photos WHERE id = @photoId)
     ON CONFLICT (photo_id) DO UPDATE SET class_id = excluded.class_id, source = excluded.source,
       created_at = excluded.created_at`
  );
  const clear = db.prepare('DELETE FROM labels WHERE photo_id = ?');
  const forgetRejections = db.prepare('DELETE FROM prediction_rejections WHERE photo_id = ?');
  db.transaction(() => {
    for (const w of writes) {
      if (w.label === null) clear.run(w.photoId);
      else {
        upsert.run({ photoId: w.photoId, classId: w.label.classId, source: w.label.source, now });
        forgetRejections.run(w.photoId);
      }
    }
  }).immediate();
}
