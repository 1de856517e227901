/**
 * The audit trail of control actions (order submit/cancel, flatten, kill switch, pause/resume):
 * every action that reached the engine is recorded with its outcome, kept in memory for
 * /api/live/audit, logged at info, and handed to an optional sink (the lead wires it to a bus
 * topic). Records never contain credentials.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../infra/logger.js';
import type { AuditEvent } from './protocol.js';
import { RecentLog } from './recent-log.js';

export type AuditInput = Omit<AuditEvent, 'id' | 'ts'>;

export class AuditLog {
  readonly log: RecentLog<AuditEvent>;
  private next = 1;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly sink: ((event: AuditEvent) => void) | undefined,
    kept = 10_000,
  ) {
    this.log = new RecentLog(kept, { ts: (e) => e.ts, symbol: (e) => (e.action === 'position.flatten' ? (e.target ?? undefined) : undefined) });
  }

  record(input: AuditInput): AuditEvent {
    const event: AuditEvent = { id: `AUDIT-${this.next++}`, ts: this.clock.now(), ...input };
    this.log.push(event);
    this.logger.info({ audit: event }, `control ${event.action} ${event.target ?? ''} -> ${event.outcome}`.replace(/\s+->/, ' ->'));
    try {
      this.sink?.(event);
    } catch (err) {
      this.logger.error({ err, auditId: event.id }, 'audit sink failed');
    }
    return event;
  }
}
