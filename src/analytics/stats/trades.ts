/**
 * Statistics over closed trades, updated in O(1) per trade; the median holding time is exact over
 * the last `medianWindow` trades (default 10,000), sorted when it is read. A trade wins when pnl > 0, loses when pnl < 0 and is breakeven at exactly 0;
 * a breakeven trade ends any streak. Averages and rates are null when they would divide by zero.
 */
import { ValueError } from '../../core/errors.js';
import { MedianWindow } from './rolling.js';

export interface ClosedTrade {
  /** Realized profit or loss in account currency. */
  pnl: number;
  /** Return on the capital committed (0.01 = +1%), when known. */
  returnPct?: number;
  entryTs: number;
  exitTs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export class TradeStats {
  private n = 0;
  private winCount = 0;
  private lossCount = 0;
  private grossProfit = 0;
  private grossLoss = 0;
  private maxWin = -Infinity;
  private maxLoss = Infinity;
  private streak = 0;
  private longestWinStreak = 0;
  private longestLossStreak = 0;
  private returnSum = 0;
  private returnCount = 0;
  private holdingSum = 0;
  private firstEntry = Infinity;
  private lastExit = -Infinity;
  private readonly holding: MedianWindow;

  /** Throws ValueError when medianWindow is not a positive integer. */
  constructor(options: { medianWindow?: number } = {}) {
    this.holding = new MedianWindow(options.medianWindow ?? 10_000);
  }

  /** Adds a closed trade. Throws ValueError on non-finite values or an exit before the entry. */
  add(trade: ClosedTrade): void {
    const { pnl, returnPct, entryTs, exitTs } = trade;
    if (!Number.isFinite(pnl) || (returnPct !== undefined && !Number.isFinite(returnPct)) || !Number.isFinite(entryTs) || !Number.isFinite(exitTs) || exitTs < entryTs) {
      throw invalidTrade(trade);
    }
    this.n++;
    if (pnl > 0) {
      this.winCount++;
      this.grossProfit += pnl;
      this.maxWin = Math.max(this.maxWin, pnl);
      this.streak = this.streak > 0 ? this.streak + 1 : 1;
      this.longestWinStreak = Math.max(this.longestWinStreak, this.streak);
    } else if (pnl < 0) {
      this.lossCount++;
      this.grossLoss -= pnl;
      this.maxLoss = Math.min(this.maxLoss, pnl);
      this.streak = this.streak < 0 ? this.streak - 1 : -1;
      this.longestLossStreak = Math.max(this.longestLossStreak, -this.streak);
    } else {
      this.streak = 0;
    }
    if (returnPct !== undefined) {
      this.returnSum += returnPct;
      this.returnCount++;
    }
    this.holdingSum += exitTs - entryTs;
    this.holding.push(exitTs - entryTs);
    if (entryTs < this.firstEntry) this.firstEntry = entryTs;
    if (exitTs > this.lastExit) this.lastExit = exitTs;
  }

  get count(): number {
    return this.n;
  }

  get wins(): number {
    return this.winCount;
  }

  get losses(): number {
    return this.lossCount;
  }

  get breakeven(): number {
    return this.n - this.winCount - this.lossCount;
  }

  /** wins / all trades (breakeven trades count against it). */
  winRate(): number | null {
    return this.n === 0 ? null : this.winCount / this.n;
  }

  /** Mean pnl of winning trades (> 0). */
  averageWin(): number | null {
    return this.winCount === 0 ? null : this.grossProfit / this.winCount;
  }

  /** Mean pnl of losing trades (< 0). */
  averageLoss(): number | null {
    return this.lossCount === 0 ? null : -this.grossLoss / this.lossCount;
  }

  /** Gross profit / gross loss; null when there are no losses. */
  profitFactor(): number | null {
    return this.lossCount === 0 ? null : this.grossProfit / this.grossLoss;
  }

  /** Mean pnl per trade (= winRate × averageWin + lossRate × averageLoss). */
  expectancy(): number | null {
    return this.n === 0 ? null : (this.grossProfit - this.grossLoss) / this.n;
  }

  totalPnl(): number {
    return this.grossProfit - this.grossLoss;
  }

  largestWin(): number | null {
    return this.winCount === 0 ? null : this.maxWin;
  }

  largestLoss(): number | null {
    return this.lossCount === 0 ? null : this.maxLoss;
  }

  get maxConsecutiveWins(): number {
    return this.longestWinStreak;
  }

  get maxConsecutiveLosses(): number {
    return this.longestLossStreak;
  }

  /** Current streak: +k after k wins in a row, -k after k losses, 0 after a breakeven or no trades. */
  get currentStreak(): number {
    return this.streak;
  }

  /** Mean returnPct over the trades that gave one. */
  averageReturn(): number | null {
    return this.returnCount === 0 ? null : this.returnSum / this.returnCount;
  }

  /** Mean exitTs - entryTs over all trades. */
  averageHoldingTime(): number | null {
    return this.n === 0 ? null : this.holdingSum / this.n;
  }

  /** Exact median exitTs - entryTs over the last `medianWindow` trades. */
  medianHoldingTime(): number | null {
    return this.holding.median();
  }

  /** Trades per hour over the span from the earliest entry to the latest exit; null when the span is 0. */
  tradesPerHour(): number | null {
    return this.rate(HOUR_MS);
  }

  /** Trades per day (24 h) over the span from the earliest entry to the latest exit; null when the span is 0. */
  tradesPerDay(): number | null {
    return this.rate(DAY_MS);
  }

  private rate(unitMs: number): number | null {
    const span = this.lastExit - this.firstEntry;
    return this.n === 0 || span <= 0 ? null : (this.n * unitMs) / span;
  }
}

/**
 * The error for a trade add() rejects. Built out of line: V8 waits for more runs of a longer
 * function before compiling it, and add() runs once per round trip.
 */
function invalidTrade({ pnl, returnPct, entryTs, exitTs }: ClosedTrade): ValueError {
  if (!Number.isFinite(pnl)) return new ValueError(`trade pnl ${pnl} is not finite`);
  if (returnPct !== undefined && !Number.isFinite(returnPct)) return new ValueError(`trade returnPct ${returnPct} is not finite`);
  return new ValueError(`trade exit ${exitTs} is not a finite time at or after its entry ${entryTs}`);
}
