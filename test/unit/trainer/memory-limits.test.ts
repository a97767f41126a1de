/** Stage-2 batch size by input size, and what a person reads when the backend runs out of memory. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import { explainAbort } from '../../../src/main/engine/trainer/pipeline';
import { fineTuneBatchSize } from '../../../src/main/engine/trainer/fine-tune-stage';

describe('fine-tune batch size', () => {
  it('keeps the configured batch up to 224 px and shrinks it with the pixel count above', () => {
    expect(fineTuneBatchSize(32, 96)).toBe(32);
    expect(fineTuneBatchSize(32, 224)).toBe(32);
    expect(fineTuneBatchSize(32, 320)).toBe(15);
    expect(fineTuneBatchSize(32, 448)).toBe(8);
    expect(fineTuneBatchSize(32, 1024)).toBe(4);
  });
});

describe('explainAbort', () => {
  const job = { config: { inputSize: 320, fineTune: true } } as Parameters<typeof explainAbort>[1];

  it('turns a WebAssembly abort into TRAINING_FAILED that names the size and what to try', () => {
    const err = explainAbort(new Error('Aborted(). Build with -sASSERTIONS for more info.'), job);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('TRAINING_FAILED');
    expect((err as AppError).message).toMatch(/ran out of memory while fine-tuning at 320 px.*smaller input size.*without fine-tuning/);
  });

  it('passes every other error through unchanged', () => {
    const other = new AppError('WEIGHTS_INVALID', 'bad file');
    expect(explainAbort(other, job)).toBe(other);
    const ours = new AppError('IO_ERROR', 'Cannot read image x.jpg: out of memory');
    expect(explainAbort(ours, job)).toBe(ours);
    const plain = new Error('shape mismatch');
    expect(explainAbort(plain, job)).toBe(plain);
  });
});
