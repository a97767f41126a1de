/** What the engine runs on, for the status bar and the CLI: tfjs trains, ONNX Runtime (or tfjs) infers. */
import type { BackendInfo } from '../../shared/dto';
import { initBackend, type BackendPreference } from './backend';
import { inferenceInfo } from './inference/open-forward';

export async function engineStatus(opts: { prefer?: BackendPreference } = {}): Promise<BackendInfo> {
  const training = await initBackend(opts);
  return { ...training, inference: await inferenceInfo() };
}
