/**
 * A progress bar on stderr for long runs; silent when stderr is not a terminal, so scripts and
 * CI logs stay clean.
 */

export function progressBar(label: string, total: number | undefined): { update(done: number): void; done(): void } {
  const stream = process.stderr;
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const width = 30;
  let last = '';
  return {
    update(done: number) {
      const line =
        total && total > 0
          ? `${label} [${'#'.repeat(Math.round((Math.min(done, total) / total) * width)).padEnd(width, '.')}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`
          : `${label} ${done.toLocaleString('en-US')} records`;
      if (line !== last) stream.write(`\r${line}`);
      last = line;
    },
    done() {
      if (last) stream.write('\n');
    },
  };
}
