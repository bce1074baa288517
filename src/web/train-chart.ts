// The live chart: batch loss (the mean of each chunk of steps) and test accuracy after
// each epoch, against the step number, drawn by uPlot (small and fast enough to
// redraw on every chunk).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface TrainChart { loss(step: number, value: number): void; accuracy(step: number, value: number): void; reset(): void }

export function trainChart(el: HTMLElement): TrainChart {
  const xs: number[] = [], losses: (number | null)[] = [], accs: (number | null)[] = [];
  const plot = new uPlot({
    width: Math.max(320, el.clientWidth || 640),
    height: 240,
    scales: { x: { time: false }, acc: { range: [0, 100] } },
    axes: [{ label: 'step' }, { label: 'batch loss' }, { scale: 'acc', side: 1, label: 'test accuracy (%)', grid: { show: false } }],
    series: [
      {},
      { label: 'batch loss', stroke: '#2563eb', width: 1.5, spanGaps: true },
      { label: 'test accuracy', scale: 'acc', stroke: '#16a34a', width: 2, spanGaps: true, points: { show: true, size: 7 }, value: (_u, v) => (v == null ? '–' : `${v.toFixed(2)}%`) },
    ],
  }, [xs, losses, accs], el);
  new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: 240 })).observe(el);
  const push = (step: number, loss: number | null, acc: number | null) => {
    // uPlot wants strictly increasing x: an epoch's accuracy lands on its last chunk's step.
    if (xs.at(-1) === step) {
      if (loss !== null) losses[losses.length - 1] = loss;
      if (acc !== null) accs[accs.length - 1] = acc;
    } else {
      xs.push(step); losses.push(loss); accs.push(acc);
    }
    plot.setData([xs, losses, accs]);
  };
  return {
    loss: (step, v) => push(step, v, null),
    accuracy: (step, v) => push(step, null, v),
    reset() { xs.length = losses.length = accs.length = 0; plot.setData([xs, losses, accs]); },
  };
}
