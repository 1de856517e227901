/**
 * The dashboard's charts (TradingView lightweight-charts): the equity curve with its drawdown in
 * a second pane, and one price chart per instrument with its fills marked (buy ▲ below, sell ▼
 * above, at the fill price). Points are kept at one-second resolution: a later point in the same
 * second replaces the earlier one. Each chart's container carries data attributes (points,
 * markers, last value) so tests and tools can read what was drawn.
 */
import {
  AreaSeries,
  ColorType,
  CrosshairMode,
  LineSeries,
  LineStyle,
  createChart,
  createSeriesMarkers,
  type DeepPartial,
  type ChartOptions,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { FillJson, PortfolioJson, PriceTickJson } from '../src/server/protocol';
import { el } from './dom';
import { groupDecimal, shortTime } from './format';
import type { ChartEvent, DashboardState } from './state';

const COLORS = {
  text: '#8b96a8',
  grid: '#1c2430',
  border: '#263041',
  equity: '#4da3ff',
  drawdown: '#ff5d6c',
  price: '#c7d0dc',
  buy: '#26c281',
  sell: '#ff5d6c',
};

const MAX_PRICE_POINTS = 3600;
const MAX_MARKERS = 200;

const sec = (ms: number): UTCTimestamp => Math.floor(ms / 1000) as UTCTimestamp;
const timeMs = (t: Time): number => (typeof t === 'number' ? t * 1000 : 0);

function chartOptions(): DeepPartial<ChartOptions> {
  return {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: 'transparent' },
      textColor: COLORS.text,
      fontSize: 11,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      attributionLogo: false,
      panes: { separatorColor: COLORS.border },
    },
    grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
    rightPriceScale: { borderColor: COLORS.border },
    timeScale: { borderColor: COLORS.border, timeVisible: true, secondsVisible: true, rightOffset: 3, tickMarkFormatter: (t: Time) => shortTime(timeMs(t)) },
    crosshair: { mode: CrosshairMode.Normal },
    localization: { timeFormatter: (t: Time) => shortTime(timeMs(t)) },
    handleScale: { axisPressedMouseMove: { time: true, price: false } },
  };
}

interface Point {
  time: UTCTimestamp;
  value: number;
}

/** Keeps the last point of each second, in time order. */
function perSecond(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last.time === p.time) last.value = p.value;
    else if (!last || p.time > last.time) out.push({ ...p });
  }
  return out;
}

/** Equity (area) and drawdown from the running peak, in % (second pane). */
export class EquityChart {
  private readonly chart: IChartApi;
  private readonly equity: ISeriesApi<'Area'>;
  private readonly drawdown: ISeriesApi<'Area'>;
  private peak = Number.NEGATIVE_INFINITY;
  private lastTime = 0;
  private points = 0;

  constructor(private readonly container: HTMLElement) {
    this.chart = createChart(container, chartOptions());
    this.equity = this.chart.addSeries(AreaSeries, {
      lineColor: COLORS.equity,
      topColor: 'rgba(77, 163, 255, 0.35)',
      bottomColor: 'rgba(77, 163, 255, 0.02)',
      lineWidth: 2,
      priceFormat: { type: 'custom', formatter: (v: number) => groupDecimal(v.toFixed(2)), minMove: 0.01 },
      title: 'equity',
    });
    this.drawdown = this.chart.addSeries(
      AreaSeries,
      {
        lineColor: COLORS.drawdown,
        topColor: 'rgba(255, 93, 108, 0.05)',
        bottomColor: 'rgba(255, 93, 108, 0.4)',
        invertFilledArea: true,
        lineWidth: 1,
        priceFormat: { type: 'custom', formatter: (v: number) => `${Math.abs(v) < 0.005 ? '0.00' : v.toFixed(2)}%`, minMove: 0.01 },
        title: 'drawdown',
      },
      1,
    );
    this.chart.panes()[0]?.setStretchFactor(3);
    this.chart.panes()[1]?.setStretchFactor(1);
  }

  reset(history: readonly PortfolioJson[]): void {
    this.peak = Number.NEGATIVE_INFINITY;
    const eq: Point[] = [];
    const dd: Point[] = [];
    for (const p of history) {
      const v = Number(p.equity);
      if (!Number.isFinite(v)) continue;
      this.peak = Math.max(this.peak, v);
      eq.push({ time: sec(p.ts), value: v });
      dd.push({ time: sec(p.ts), value: this.ddPercent(v) });
    }
    const e = perSecond(eq);
    this.equity.setData(e);
    this.drawdown.setData(perSecond(dd));
    this.lastTime = e[e.length - 1]?.time ?? 0;
    this.points = e.length;
    this.chart.timeScale().fitContent();
    this.describe(history[history.length - 1]);
  }

  add(p: PortfolioJson): void {
    const v = Number(p.equity);
    const time = sec(p.ts);
    if (!Number.isFinite(v) || time < this.lastTime) return;
    this.peak = Math.max(this.peak, v);
    if (time > this.lastTime) this.points++;
    this.lastTime = time;
    this.equity.update({ time, value: v });
    this.drawdown.update({ time, value: this.ddPercent(v) });
    this.describe(p);
  }

  private ddPercent(v: number): number {
    return this.peak > 0 ? (v / this.peak - 1) * 100 : 0;
  }

  private describe(last: PortfolioJson | undefined): void {
    this.container.dataset['points'] = String(this.points);
    if (last) this.container.dataset['lastEquity'] = last.equity;
  }
}

/** One instrument's mid price with its fills. */
class PriceChart {
  readonly card: HTMLElement;
  private readonly chart: IChartApi;
  private readonly series: ISeriesApi<'Line'>;
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private readonly label: HTMLElement;
  private fills: FillJson[] = [];
  private lastTime = 0;
  private points = 0;

  constructor(readonly instrumentId: string) {
    this.label = el('span', { class: 'chart-last', 'data-testid': 'price-last' }, '—');
    const box = el('div', { class: 'chart-box' });
    this.card = el(
      'div',
      { class: 'price-card', 'data-testid': 'price-chart', 'data-instrument': instrumentId, 'data-marker-count': 0, 'data-points': 0 },
      el('div', { class: 'price-head' }, el('span', { class: 'sym' }, instrumentId), this.label),
      box,
    );
    this.chart = createChart(box, chartOptions());
    this.series = this.chart.addSeries(LineSeries, {
      color: COLORS.price,
      lineWidth: 1,
      priceLineStyle: LineStyle.Dotted,
      lastValueVisible: true,
    });
    this.markers = createSeriesMarkers(this.series, []);
  }

  addTick(t: PriceTickJson): void {
    const time = sec(t.ts);
    if (time < this.lastTime) return;
    if (time > this.lastTime) {
      this.points++;
      if (this.points > MAX_PRICE_POINTS * 1.2) this.trim();
    }
    this.lastTime = time;
    this.series.update({ time, value: t.mid });
    this.label.textContent = `${groupDecimal(t.bid)} / ${groupDecimal(t.ask)}`;
    this.card.dataset['points'] = String(this.points);
    this.card.dataset['lastPrice'] = String(t.mid);
  }

  setFills(fills: readonly FillJson[]): void {
    this.fills = [...fills].sort((a, b) => a.ts - b.ts).slice(-MAX_MARKERS);
    this.drawMarkers();
  }

  addFill(f: FillJson): void {
    const time = sec(f.ts);
    // Give the marker a point of its own second, so it sits where the fill happened.
    if (time > this.lastTime) {
      this.lastTime = time;
      this.points++;
      this.series.update({ time, value: Number(f.lastPx) });
    }
    this.fills.push(f);
    if (this.fills.length > MAX_MARKERS) this.fills.shift();
    this.fills.sort((a, b) => a.ts - b.ts);
    this.drawMarkers();
  }

  private drawMarkers(): void {
    const markers: SeriesMarker<Time>[] = this.fills.map((f) => ({
      time: sec(f.ts),
      position: f.side === 'BUY' ? 'atPriceBottom' : 'atPriceTop',
      price: Number(f.lastPx),
      shape: f.side === 'BUY' ? 'arrowUp' : 'arrowDown',
      color: f.side === 'BUY' ? COLORS.buy : COLORS.sell,
      text: `${f.side === 'BUY' ? 'B' : 'S'} ${f.lastQty}`,
      id: f.tradeId,
    }));
    this.markers.setMarkers(markers);
    const drawn = this.markers.markers();
    this.card.dataset['markerCount'] = String(drawn.length);
    const last = this.fills[this.fills.length - 1];
    if (last) {
      this.card.dataset['lastMarker'] = last.tradeId;
      this.card.dataset['lastMarkerSide'] = last.side;
    }
  }

  private trim(): void {
    const data = this.series.data().slice(-MAX_PRICE_POINTS);
    this.series.setData(data as Point[]);
    this.points = data.length;
  }
}

/** The equity chart and the per-instrument price charts, driven by the state's chart events. */
export class Charts {
  private readonly equity: EquityChart;
  private readonly prices = new Map<string, PriceChart>();

  constructor(
    equityContainer: HTMLElement,
    private readonly pricesContainer: HTMLElement,
    state: DashboardState,
  ) {
    this.equity = new EquityChart(equityContainer);
    state.onChartEvent((e) => this.on(e));
  }

  private price(instrumentId: string): PriceChart {
    let c = this.prices.get(instrumentId);
    if (!c) {
      c = new PriceChart(instrumentId);
      this.prices.set(instrumentId, c);
      const cards = [...this.prices.values()].sort((a, b) => (a.instrumentId < b.instrumentId ? -1 : 1)).map((x) => x.card);
      this.pricesContainer.replaceChildren(...cards);
    }
    return c;
  }

  private on(e: ChartEvent): void {
    switch (e.kind) {
      case 'pnl-reset':
        return this.equity.reset(e.history);
      case 'pnl-point':
        return this.equity.add(e.point);
      case 'ticks':
        for (const t of e.ticks) this.price(t.instrumentId).addTick(t);
        return;
      case 'fills-reset': {
        const by = new Map<string, FillJson[]>();
        for (const f of e.fills) {
          const list = by.get(f.instrumentId) ?? [];
          list.push(f);
          by.set(f.instrumentId, list);
        }
        for (const c of this.prices.values()) if (!by.has(c.instrumentId)) c.setFills([]);
        for (const [id, fills] of by) this.price(id).setFills(fills);
        return;
      }
      case 'fill':
        return this.price(e.fill.instrumentId).addFill(e.fill);
    }
  }
}
