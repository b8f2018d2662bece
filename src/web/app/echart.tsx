import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TitleComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption, EChartsType } from 'echarts/core';
import { useEffect, useRef, type CSSProperties } from 'react';

export type ChartOption = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TitleComponentOption | TooltipComponentOption>;

// ECharts (about half a megabyte) is loaded when the first chart is shown, never with the pages
// that have none; only the parts we draw with, so its chunk stays small.
let echarts: Promise<{ init: (el: HTMLElement) => EChartsType }> | null = null;

function loadECharts() {
  echarts ??= Promise.all([
    import('echarts/core').then(({ init, use }) => ({ init, use })),
    import('echarts/charts').then(({ BarChart, LineChart }) => [BarChart, LineChart]),
    import('echarts/components').then(({ GridComponent, LegendComponent, TitleComponent, TooltipComponent }) => [GridComponent, LegendComponent, TitleComponent, TooltipComponent]),
    import('echarts/renderers').then(({ CanvasRenderer }) => [CanvasRenderer]),
  ]).then(([core, charts, components, renderers]) => {
    core.use([...charts, ...components, ...renderers]);
    return { init: (el: HTMLElement) => core.init(el) };
  });
  echarts.catch(() => {
    echarts = null; // a failed download is tried again by the next chart
  });
  return echarts;
}

/** An ECharts chart: created on mount (once ECharts has loaded), given each new option, resized with its box, disposed on unmount. */
export function EChart({ option, style, testId }: { option: ChartOption; style?: CSSProperties; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    let gone = false;
    let observer: ResizeObserver | null = null;
    void loadECharts().then(async ({ init }) => {
      // ECharts' modules were just evaluated in this task: the chart is made in the next one, and
      // drawn in the frame after (lazyUpdate), so no one task keeps the page from answering long
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (gone) return;
      const instance = init(el);
      chart.current = instance;
      instance.setOption(latest.current, { notMerge: true, lazyUpdate: true });
      observer = new ResizeObserver(() => instance.resize());
      observer.observe(el);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={box} style={{ width: '100%', height: 280, ...style }} data-testid={testId} />;
}
