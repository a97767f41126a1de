/**
 * `train`: trains on the project's labeled photos in the training process and waits for it.
 * With --json: progress lines, then one {"type":"result", …} line. Ctrl-C cancels the run.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DEFAULT_SEED, type ApiClient, type RequestIn } from '../../../shared/contract';
import type { RunDetail, TrainingFinished, TrainingProgress } from '../../../shared/dto';
import { AppError } from '../../../shared/errors';
import { addProjectOptions, failOnError, resolveUserPath, withClient, writeJsonLine, type ProjectOptions } from '../context';

interface TrainOptions extends ProjectOptions {
  backbone?: string;
  weights?: string;
  epochs?: string;
  fineTune?: boolean;
  timeBudget?: string;
  headTraining?: string;
  seed?: string;
  size?: string;
  head?: string;
}

export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train')
    .description("train a classifier for the project's classes on its labeled photos")
    .option(
      '--backbone <id>',
      'backbone: vgg16, vgg19, mobilenet_v2, … (default: vgg16 if its weights are present, else the first ready one)'
    )
    .option('--weights <path>', 'weights file (.h5) or TF.js layers-model folder for the backbone')
    .option('--epochs <n>', 'most epochs of head training (early stopping may end sooner)')
    .option('--fine-tune', 'fine-tune the top block of the base (default: when cross-validation says it pays and it fits the time budget)')
    .option('--no-fine-tune', 'never fine-tune')
    .option('--time-budget <s>', 'seconds the run may spend on optional work: larger input sizes, fine-tuning (default 600)')
    .option('--head-training <kind>', 'logistic-cv (L2 chosen by cross-validation, the default) or adam (dropout + dense, early stopping)')
    .option('--seed <n>', `seed for the validation split, shuffling and initialisation (default ${DEFAULT_SEED})`)
    .option('--size <px>', 'input size (default: chosen by cross-validation among the sizes the photos allow)')
    .option('--head <kind>', 'gap (pooled features → dense, the default) or vgg-fc (fc6/fc7/fc8 at 224)');
  addProjectOptions(command).action(failOnError(trainAction));
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new AppError('INVALID_REQUEST', `--${name} must be an integer, got ${value}`);
  return n;
}

async function trainAction(opts: TrainOptions): Promise<void> {
  const request = {
    backboneId: opts.backbone,
    weightsPath: opts.weights === undefined ? undefined : resolveUserPath(opts.weights),
    epochs: intOption(opts.epochs, 'epochs'),
    fineTune: opts.fineTune ?? ('auto' as const),
    timeBudgetSeconds: intOption(opts.timeBudget, 'time-budget'),
    headTraining: opts.headTraining as 'logistic-cv' | 'adam' | undefined,
    seed: intOption(opts.seed, 'seed'),
    inputSize: intOption(opts.size, 'size'),
    // Checked (and defaulted) by the contract's schema like every other request.
    head: opts.head as 'gap' | 'vgg-fc' | undefined
  };
  const detail = await withClient(opts, (client) => runAndWait(client, request, opts.json === true));
  if (detail.status !== 'completed') {
    throw new AppError(
      detail.status === 'cancelled' ? 'CANCELLED' : 'TRAINING_FAILED',
      `Run ${detail.id} ${detail.status}${detail.error ? `: ${detail.error}` : ''}`
    );
  }
  if (opts.json) writeJsonLine(trainResultLine(detail));
  else process.stdout.write(formatTrainSummary(detail));
}

/** Starts a run, reports its progress, cancels it on Ctrl-C, and returns it once finished. */
export async function runAndWait(client: ApiClient, request: RequestIn<'training:start'>, json: boolean): Promise<RunDetail> {
  const report = json ? (p: TrainingProgress) => writeJsonLine({ type: 'progress', ...p }) : barReporter();
  let runId = -1;
  const early: TrainingProgress[] = [];
  let offFinished: () => void = () => undefined;
  const finished = new Promise<TrainingFinished>((resolve) => {
    offFinished = client.on('training:finished', (f) => f.runId === runId && resolve(f));
  });
  const offProgress = client.on('training:progress', (p) => (runId === -1 ? early.push(p) : p.runId === runId && report(p)));
  // Kept (not `once`) until the run ends: under tsx one Ctrl-C can arrive twice, and the second
  // must not end the process before the run is settled. Before the run has an id, the cancel
  // waits for it.
  let interrupted = false;
  const cancel = () => void client.invoke('training:cancel', { runId }).catch(() => undefined);
  const onSigint = () => {
    if (interrupted) return;
    interrupted = true;
    if (runId !== -1) cancel();
  };
  process.on('SIGINT', onSigint);
  try {
    runId = (await client.invoke('training:start', request)).runId;
    if (interrupted) cancel();
    early.filter((p) => p.runId === runId).forEach(report);
    await finished;
  } finally {
    offProgress();
    offFinished();
    process.removeListener('SIGINT', onSigint);
    if (!json) (report as ReturnType<typeof barReporter>).stop?.();
  }
  return client.invoke('training:run', { runId });
}

export function trainResultLine(d: RunDetail): object {
  return {
    type: 'result',
    runId: d.id,
    backend: d.backend,
    inference: d.inference,
    backbone: d.backboneId,
    inputSize: d.choices?.inputSize.value ?? d.config.inputSize,
    choices: d.choices,
    classes: d.classes,
    valAccuracy: d.valAccuracy,
    perClass: d.perClass,
    confusion: d.confusion,
    timings: d.timings,
    model: d.modelPath,
    featuresComputed: d.featuresComputed,
    featuresCached: d.featuresCached,
    epochs: d.history.length
  };
}

function barReporter(): ((p: TrainingProgress) => void) & { stop(): void } {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{phase} [{bar}] {value}/{total} {extra}', hideCursor: true },
    cliProgress.Presets.shades_classic
  );
  let phase: string | null = null;
  const update = (p: TrainingProgress) => {
    const extra = [
      p.epoch ? `epoch ${p.epoch}/${p.epochs}` : '',
      p.batchLoss !== null ? `loss ${p.batchLoss.toFixed(3)}` : '',
      p.epochMetrics?.valAcc != null ? `val acc ${(p.epochMetrics.valAcc * 100).toFixed(1)}%` : '',
      p.imagesPerSec ? `${p.imagesPerSec.toFixed(1)}/s` : '',
      p.note ?? ''
    ]
      .filter(Boolean)
      .join(' · ');
    if (p.phase !== phase) {
      if (phase !== null) bar.stop();
      phase = p.phase;
      bar.start(Math.max(p.total, 1), p.done, { phase: p.phase.padEnd(11), extra });
    } else bar.update(p.done, { extra });
  };
  return Object.assign(update, { stop: () => bar.stop() });
}

export function formatTrainSummary(d: RunDetail): string {
  const t = d.timings;
  const lines = [
    `Run ${d.id}: ${d.backboneId} on ${d.backend}, classes ${d.classes.join(', ')}`,
    `  validation accuracy: ${d.valAccuracy === null ? 'n/a (no validation photos)' : `${(d.valAccuracy * 100).toFixed(1)}%`}`,
    ...d.perClass.map(
      (c) => `    ${c.name}: precision ${c.precision.toFixed(3)} recall ${c.recall.toFixed(3)} f1 ${c.f1.toFixed(3)} (${c.support})`
    ),
    ...choiceLines(d),
    t
      ? `  time: ${t.choose ? `choosing ${t.choose.toFixed(1)} s, ` : ''}features ${t.features.toFixed(1)} s, training ${t.train.toFixed(1)} s, ${t.fineTune > 0 ? `fine-tuning ${t.fineTune.toFixed(1)} s, ` : ''}total ${t.total.toFixed(1)} s`
      : '',
    `  features: ${d.featuresComputed ?? 0} computed${d.inference ? ` (${d.inference})` : ''}, ${d.featuresCached ?? 0} from cache`,
    `  model: ${d.modelPath}`
  ];
  return lines.filter(Boolean).join('\n') + '\n';
}

/** What the run chose and why, one line each (issue 11). */
function choiceLines(d: RunDetail): string[] {
  const c = d.choices;
  if (!c) return [];
  return [
    `  input size: ${c.inputSize.reason}`,
    `  head: ${c.head.reason}`,
    `  fine-tuning: ${c.fineTune.reason}`,
    ...(c.validation.note ? [`  note: ${c.validation.note}`] : [])
  ];
}
