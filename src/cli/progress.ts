import cliProgress from 'cli-progress';

// A progress bar on a terminal; silence when the output is a file or CI log.

export interface Progress {
  update(done: number, total: number, label: string): void;
  stop(): void;
}

export function progressBar(unit: 'MB' | 'rows' | 'steps' = 'MB'): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const scale = unit === 'MB' ? 1 / (1024 * 1024) : 1;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ` {bar} {percentage}% | {value}/{total} ${unit} | {label}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label) {
      const t = Math.max(1, Math.round(total * scale));
      const d = Math.min(t, Math.round(done * scale));
      if (!started) {
        bar.start(t, d, { label });
        started = true;
      } else {
        bar.setTotal(t);
        bar.update(d, { label });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
