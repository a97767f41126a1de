/** What the engine runs on, for the status bar and the CLI: tfjs trains, ONNX Runtime (or tfjs) infers. */
import type { BackendInfo } from '../../shared/dto';
import { initBackend } from './backend';
import { inferenceInfo } from './inference/open-forward';

export async function engineStatus(): Promise<BackendInfo> {
  const training = await initBackend();
  return { ...training, inference: await inferenceInfo() };
}
