/**
 * Risk alerts with levels, recommended actions and de-duplication: one condition (its key) raises
 * one active alert, refreshed while the condition holds and resolved when it clears. Raising and
 * resolving are published on the bus.
 */
import type { MessageBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';

export type AlertLevel = 'CRITICAL' | 'WARNING' | 'INFO';
export type RecommendedAction = 'REDUCE_POSITION' | 'CLOSE_POSITION' | 'HALT_TRADING' | 'INCREASE_MONITORING';

export interface Alert {
  readonly id: string;
  /** The condition, e.g. "daily_loss" or "stale_data:BTC-USD"; one active alert per key. */
  readonly key: string;
  readonly level: AlertLevel;
  readonly action: RecommendedAction;
  readonly message: string;
  readonly symbol: string | undefined;
  readonly raisedAt: number;
  readonly lastSeenAt: number;
  readonly resolvedAt: number | undefined;
}

export interface AlertEvent {
  readonly status: 'RAISED' | 'UPDATED' | 'RESOLVED';
  readonly alert: Alert;
  readonly ts: number;
}

export interface AlertCondition {
  key: string;
  level: AlertLevel;
  action: RecommendedAction;
  message: string;
  symbol?: string | undefined;
}

const LEVEL_RANK: Record<AlertLevel, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

export class AlertManager {
  private readonly active = new Map<string, Alert>();
  private readonly history: Alert[] = [];
  private nextId = 1;

  constructor(
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly historyKept = 1000,
  ) {}

  /**
   * Raises (or refreshes) the alert for a condition. A new alert, or a change of level, is
   * published; a condition that merely persists only updates lastSeenAt.
   */
  raise(c: AlertCondition): Alert {
    const now = this.clock.now();
    const existing = this.active.get(c.key);
    if (existing && existing.level === c.level) {
      const refreshed = { ...existing, lastSeenAt: now, message: c.message };
      this.active.set(c.key, refreshed);
      return refreshed;
    }
    const alert: Alert = {
      id: existing?.id ?? `ALERT-${this.nextId++}`,
      key: c.key,
      level: c.level,
      action: c.action,
      message: c.message,
      symbol: c.symbol,
      raisedAt: existing?.raisedAt ?? now,
      lastSeenAt: now,
      resolvedAt: undefined,
    };
    this.active.set(c.key, alert);
    this.bus.publish('risk.alert', { status: existing ? 'UPDATED' : 'RAISED', alert, ts: now });
    return alert;
  }

  /** Resolves the active alert of a condition, if any. */
  resolve(key: string): void {
    const existing = this.active.get(key);
    if (!existing) return;
    const now = this.clock.now();
    const resolved = { ...existing, resolvedAt: now, lastSeenAt: now };
    this.active.delete(key);
    this.history.push(resolved);
    if (this.history.length > this.historyKept) this.history.splice(0, this.history.length - this.historyKept);
    this.bus.publish('risk.alert', { status: 'RESOLVED', alert: resolved, ts: now });
  }

  /** Raises the condition when `active` is true, resolves it otherwise. */
  set(active: boolean, c: AlertCondition): void {
    if (active) this.raise(c);
    else this.resolve(c.key);
  }

  /** Active alerts, most severe first. */
  activeAlerts(): Alert[] {
    return [...this.active.values()].sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || a.raisedAt - b.raisedAt);
  }

  resolvedAlerts(): readonly Alert[] {
    return this.history;
  }
}
