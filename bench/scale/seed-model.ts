/**
 * Gives a bench project what a trained model leaves behind, without training at 100,000 photos:
 * a completed run whose validation examples are the labeled val photos, its model as the active
 * one, and a prediction for every unlabeled photo (deterministic pseudo-random confidences).
 * Written with the app's own repository functions, so the rows are shaped as training writes them.
 */
import { openDatabase } from '../../src/main/db/database';
import { replacePredictions } from '../../src/main/db/training-prediction-repository';
import { completeRun, insertRun, listClassNames, listTrainingPhotos } from '../../src/main/db/training-repository';

export interface SeededModel {
  runId: number;
  classIds: number[];
  predictions: number;
  examples: number;
}

export function seedTrainedModel(projectFile: string): SeededModel {
  const db = openDatabase(projectFile, { mustExist: true });
  try {
    const classes = listClassNames(db);
    const photos = listTrainingPhotos(db);
    const runId = insertRun(db, { config: { backboneId: 'mobilenet_v2', head: 'gap' }, backboneId: 'mobilenet_v2', classes });
    const index = new Map(classes.map((c, i) => [c.id, i] as const));
    const val = photos.filter((p) => p.classId !== null && p.split === 'val');
    const examples = val
      .map((p, i) => {
        const trueIndex = index.get(p.classId as number) as number;
        const predictedIndex = i % 7 === 0 ? (trueIndex + 1) % classes.length : trueIndex;
        const confidence = 0.5 + 0.5 * fraction(p.photoId);
        return {
          photoId: p.photoId,
          trueIndex,
          predictedIndex,
          confidence,
          loss: -Math.log(predictedIndex === trueIndex ? confidence : 1 - confidence)
        };
      })
      .sort((a, b) => b.loss - a.loss || a.photoId - b.photoId);
    completeRun(db, { runId, backend: 'bench', timings: {}, metrics: { accuracy: 0.9 }, history: [], examples, modelPath: '/nonexistent' });
    const unlabeled = photos.filter((p) => p.classId === null);
    replacePredictions(
      db,
      runId,
      unlabeled.map((p, i) => {
        const confidence = 0.5 + 0.5 * fraction(p.photoId);
        const k = i % classes.length;
        return {
          photoId: p.photoId,
          classId: classes[k].id,
          confidence,
          probs: classes.map((_, j) => (j === k ? confidence : (1 - confidence) / (classes.length - 1)))
        };
      })
    );
    return { runId, classIds: classes.map((c) => c.id), predictions: unlabeled.length, examples: examples.length };
  } finally {
    db.close();
  }
}

/** A stable number in [0, 1) from an id. */
function fraction(id: number): number {
  return (Math.imul(id, 2654435761) >>> 0) / 2 ** 32;
}
