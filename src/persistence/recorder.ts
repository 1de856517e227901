/**
 * JournalRecorder: what the engine tells the journal. A bus tap appends every state-changing
 * message in the exact order it is published — orders created, order events (fills included),
 * risk state changes and alerts — while the write-ahead client appends the commands. The recorder
 * also keeps the little bookkeeping recovery needs beyond the engine's own state (trade ids of the
 * fills of unfinished orders, amends awaiting an answer, the risk state) and builds the snapshot
 * the journal writes every `snapshotEvery` records (EngineState).
 */
import type { TradingEngine } from '../engine/trading-engine.js';
import type { InstrumentSpec } from '../model/instrument.js';
import type { OrderEvent } from '../model/order-events.js';
import type { OrderState } from '../model/order.js';
import type { PortfolioState } from '../portfolio/portfolio.js';
import type { AlertEvent } from '../risk/alerts.js';
import type { RiskBaselines } from '../risk/risk-engine.js';
import type { TradingState, TradingStateChanged } from '../risk/trading-state.js';
import type { OrderCreated } from '../core/topics.js';
import { modifyRecord, orderRecord, type ModifyRecord } from './codec.js';
import { RecordKind, type Journal } from './journal.js';
import type { WriteAheadExecutionClient } from './write-ahead-client.js';

/** The engine's state in a snapshot: enough to continue replaying from there. */
export interface EngineState {
  readonly version: 1;
  readonly instruments: readonly InstrumentSpec[];
  readonly portfolio: PortfolioState;
  /** Every unfinished order (working, or a bracket exit not sent yet). */
  readonly orders: readonly OrderState[];
  /** Trade ids of the fills of unfinished orders (so the venue's copies are recognised). */
  readonly tradeIds: Readonly<Record<string, readonly string[]>>;
  /** Amends sent and not answered yet, by client order id. */
  readonly pendingModify: Readonly<Record<string, ModifyRecord>>;
  /** The gateway's id counter. */
  readonly nextId: number;
  readonly risk: RiskStateRecord | undefined;
  /** Absent in snapshots written before the bases were journaled. */
  readonly riskBaselines?: RiskBaselines | undefined;
}

export interface RiskStateRecord {
  readonly state: TradingState;
  readonly reason: string;
}

/** What a `session.start` record holds. */
export interface SessionStartRecord {
  readonly instruments: readonly InstrumentSpec[];
  readonly initialCapital: string;
  readonly currency: string;
  readonly venue: string;
}

export interface RecorderInit {
  readonly tradeIds?: ReadonlyMap<string, readonly string[]>;
  readonly pendingModify?: ReadonlyMap<string, ModifyRecord>;
  readonly risk?: RiskStateRecord | undefined;
  readonly riskBaselines?: RiskBaselines | undefined;
}

export class JournalRecorder {
  private readonly tradeIds = new Map<string, string[]>();
  private readonly pendingModify = new Map<string, ModifyRecord>();
  private risk: RiskStateRecord | undefined;
  private riskBaselines: RiskBaselines | undefined;
  private readonly detach: () => void;

  constructor(
    private readonly engine: TradingEngine,
    private readonly journal: Journal,
    wal?: WriteAheadExecutionClient,
    init: RecorderInit = {},
  ) {
    for (const [id, ids] of init.tradeIds ?? []) this.tradeIds.set(id, [...ids]);
    for (const [id, m] of init.pendingModify ?? []) this.pendingModify.set(id, m);
    this.risk = init.risk;
    this.riskBaselines = init.riskBaselines;
    const execution = engine.execution;
    this.detach = engine.bus.tap((topic, msg) => {
      switch (topic) {
        case 'order.event':
          this.onOrderEvent(msg as OrderEvent);
          break;
        case 'order.created': {
          const created = msg as OrderCreated;
          journal.append(RecordKind.orderCreated, created.ts, orderRecord(created.order, execution.idCounter));
          break;
        }
        case 'risk.state': {
          const s = msg as TradingStateChanged;
          this.risk = { state: s.state, reason: s.reason };
          journal.append(RecordKind.riskState, s.ts, s);
          break;
        }
        case 'risk.alert': {
          const a = msg as AlertEvent;
          journal.append(RecordKind.riskAlert, a.ts, a);
          break;
        }
        default:
      }
    });
    if (wal) {
      wal.onJournaled = (cmd) => {
        if (cmd.kind === 'modify') this.pendingModify.set(cmd.clientOrderId, modifyRecord(cmd.clientOrderId, cmd.changes));
      };
    }
    journal.setSnapshotSource(() => this.captureState());
  }

  /** The last risk state recorded. */
  get riskState(): RiskStateRecord | undefined {
    return this.risk;
  }

  /** Journals the risk engine's equity bases as they move (RiskEngine.onBaselines), and keeps them for snapshots. */
  recordRiskBaselines(b: RiskBaselines): void {
    this.riskBaselines = b;
    this.journal.append(RecordKind.riskBaselines, this.engine.clock.now(), b);
  }

  /** Appends the session's instruments and capital (so the journal can be replayed on its own). */
  recordSessionStart(venue: string): void {
    const engine = this.engine;
    const data: SessionStartRecord = {
      instruments: [...engine.instruments.values()].map((i) => i.spec),
      initialCapital: engine.portfolio.initialCapital.toDecimal(),
      currency: engine.portfolio.currency.code,
      venue,
    };
    this.journal.append(RecordKind.sessionStart, engine.clock.now(), data);
  }

  /** The engine's state now: call it only between engine steps (the journal does). */
  captureState(): EngineState {
    const engine = this.engine;
    const orders: OrderState[] = [];
    for (const o of engine.execution.allOrders()) if (!o.isTerminal) orders.push(o.toState());
    return {
      version: 1,
      instruments: [...engine.instruments.values()].map((i) => i.spec),
      portfolio: engine.portfolio.exportState(),
      orders,
      tradeIds: Object.fromEntries(this.tradeIds),
      pendingModify: Object.fromEntries(this.pendingModify),
      nextId: engine.execution.idCounter,
      risk: this.risk,
      riskBaselines: this.riskBaselines,
    };
  }

  stop(): void {
    this.detach();
  }

  private onOrderEvent(e: OrderEvent): void {
    this.journal.append(RecordKind.orderEvent, e.ts, e);
    const id = e.clientOrderId;
    if (e.type === 'OrderFilled') {
      const list = this.tradeIds.get(id);
      if (list) list.push(e.tradeId);
      else this.tradeIds.set(id, [e.tradeId]);
    } else if (e.type === 'OrderUpdated' || e.type === 'OrderModifyRejected') {
      this.pendingModify.delete(id);
    }
    // The event is applied before it is published: the order's status is already the new one.
    const order = this.engine.execution.status(id);
    if (order === undefined || order.isTerminal) {
      this.tradeIds.delete(id);
      this.pendingModify.delete(id);
    }
  }
}
