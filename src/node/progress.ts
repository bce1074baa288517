// Progress output: a bar per epoch on a terminal, plain lines otherwise (CI logs
// stay readable), the loss every 100 batches like the reference notebook.
import cliProgress from 'cli-progress';
import type { ChunkReport, EpochReport } from '../train/trainer.js';

export interface Reporter {
  chunk(c: ChunkReport): void;
  epoch(e: EpochReport): void;
  done(): void;
}

const LOSS_EVERY = 100;

export function createReporter(epochs: number, out: NodeJS.WriteStream = process.stdout): Reporter {
  const tty = out.isTTY === true;
  // One MultiBar per epoch: its log() keeps the loss lines above the bar; it stops with
  // the epoch's last chunk, so no line is left in its buffer.
  const newBars = () => new cliProgress.MultiBar({
    stream: out, clearOnComplete: true, hideCursor: true,
    format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} | {speed} steps/s | loss {loss}',
  }, cliProgress.Presets.shades_classic);
  let multi: cliProgress.MultiBar | undefined;
  let bar: cliProgress.SingleBar | undefined;
  let pending: number[] = [];
  let stepsDone = 0, seconds = 0;
  const log = (line: string) => (multi ? multi.log(`${line}\n`) : out.write(`${line}\n`));

  return {
    chunk(c) {
      if (c.step - c.losses.length === 0) {
        pending = []; stepsDone = 0; seconds = 0;
        multi = tty ? newBars() : undefined;
        bar = multi?.create(c.stepsPerEpoch, 0, { epoch: c.epoch, epochs, speed: '-', loss: '-' });
      }
      stepsDone += c.losses.length;
      seconds += c.seconds;
      pending.push(...c.losses);
      const speed = (stepsDone / seconds).toFixed(0);
      const first = c.step - c.losses.length;
      // The notebook prints the mean loss of the last 100 batches at every 100th batch.
      if (Math.floor(c.step / LOSS_EVERY) > Math.floor(first / LOSS_EVERY) || c.step === c.stepsPerEpoch) {
        const mean = pending.reduce((a, b) => a + b, 0) / pending.length;
        log(`epoch ${c.epoch}/${epochs}  batch ${String(c.step).padStart(String(c.stepsPerEpoch).length)}/${c.stepsPerEpoch}  loss ${mean.toFixed(4)}  (${speed} steps/s)`);
        pending = [];
      }
      bar?.update(c.step, { speed, loss: c.losses[c.losses.length - 1].toFixed(4) });
      // NOTE: MultiBar redraws (and flushes log lines) on a timer, which rarely fires while
      // session.run holds the event loop: redraw now.
      multi?.update();
      if (c.step === c.stepsPerEpoch) {
        multi?.stop();
        multi = undefined;
        bar = undefined;
      }
    },
    // The summary comes when the evaluation worker answers, often during the next epoch:
    // it is logged above that epoch's bar.
    epoch(e) {
      log(`epoch ${e.epoch}/${epochs}: train loss ${e.trainLoss.toFixed(4)}, test loss ${e.testLoss.toFixed(4)}, ` +
        `test accuracy ${(e.testAccuracy * 100).toFixed(2)}%, ${e.seconds.toFixed(2)} s (${(e.steps / e.seconds).toFixed(0)} steps/s)`);
    },
    done() {
      multi?.stop();
      multi = undefined;
    },
  };
}
