# Independent expected values for src/analytics/golden-sp500.test.ts.
# Re-simulates the test's strategy on data/sp500-2019-2020.csv with the simulated exchange's rules
# (an order decided on a bar's close fills at the next bar's open; taker fee 0.05% rounded half
# away from zero to the cent), then computes the statistics with numpy.
# Run from the repository root: python3 src/analytics/testdata/sp500_expected.py
import csv, datetime as dt
from decimal import Decimal as D, ROUND_HALF_UP
import numpy as np

FAST, SLOW, QTY, CAPITAL, FEE = 10, 30, 10, D(100000), D('0.0005')
DAY = 86_400_000
rows = list(csv.DictReader(open('data/sp500-2019-2020.csv')))
def ts_of(date):  # bars are stamped at their close: the next UTC midnight
    d = dt.datetime.strptime(date, '%Y-%m-%d').replace(tzinfo=dt.timezone.utc)
    return int(d.timestamp() * 1000) + DAY
bars = [(ts_of(r['date']), D(r['open']), D(r['close'])) for r in rows]

cash, qty, mark = CAPITAL, 0, None
closes = []
pending = None            # (side, qty)
points = [(bars[0][0], CAPITAL)]   # start
E = []
trades = []               # (entry_ts, exit_ts, entry_px, exit_px, net)
entry = None
signals = {'sma_cross_up': 0, 'sma_cross_down': 0}
orders = 0
fees_total = D(0)
for k, (ts, o, c) in enumerate(bars):
    if k >= 1:
        points.append((bars[k - 1][0] + DAY, E[-1]))   # grid sample before bar k
    if pending:
        side, q = pending
        notional = o * q
        fee = (notional * FEE).quantize(D('0.01'), rounding=ROUND_HALF_UP)
        fees_total += fee
        if side == 'BUY':
            cash -= notional + fee; qty += q; entry = (ts, o, fee)
        else:
            cash += notional - fee; qty -= q
            trades.append((entry[0], ts, entry[1], o, (o - entry[1]) * q - entry[2] - fee))
            entry = None
        pending = None
        filled = True
    else:
        filled = False
    mark = c
    E.append(cash + qty * mark)
    if filled:
        points.append((ts, E[-1]))   # fill sample: once the bar's events are handled, marked at its close
    closes.append(int(c * 100))
    if len(closes) >= SLOW:
        fast, slow = sum(closes[-FAST:]), sum(closes[-SLOW:])
        above = fast * SLOW > slow * FAST
        if above and qty == 0:
            signals['sma_cross_up'] += 1; orders += 1; pending = ('BUY', QTY)
        elif not above and qty > 0:
            signals['sma_cross_down'] += 1; orders += 1; pending = ('SELL', qty)
final = E[-1]
points.append((bars[-1][0], final))   # stop
print('records', len(bars), 'orders', orders, 'signals', signals, 'open order at end', pending)
print('final equity', final, 'fees', fees_total, 'open qty', qty, 'cash', cash)

grid = [CAPITAL] + E[:-1]
series = list(grid)
base_ts = bars[-2][0] + DAY
if bars[-1][0] > base_ts or E[-1] != E[-2]:
    series.append(E[-1])
r = np.array([float(series[i] / series[i - 1]) - 1 for i in range(1, len(series))])
ppy = 252
sd = r.std(ddof=1)
dd = np.sqrt(np.mean(np.minimum(0, r) ** 2))
ann = np.prod(1 + r) ** (ppy / len(r)) - 1
print('periods', len(r))
print('mean', repr(r.mean()), 'std', repr(sd), 'volatility', repr(sd * np.sqrt(ppy)))
print('sharpe', repr(r.mean() / sd * np.sqrt(ppy)), 'sortino', repr(r.mean() / dd * np.sqrt(ppy)))
print('best', repr(r.max()), 'worst', repr(r.min()), 'total', repr(np.prod(1 + r) - 1), 'annualized', repr(ann))

peak = None; peak_ts = None; cur = 0; longest = 0; best = None
for ts, e in points:
    e = float(e)
    if peak is None or e >= peak:
        if cur > 0:
            longest = max(longest, ts - peak_ts)
            if best and best['recovery'] is None: best['recovery'] = ts
        peak, peak_ts, cur = e, ts, 0
        continue
    cur = peak - e
    longest = max(longest, ts - peak_ts)
    if best is None or cur / peak > best['fraction']:
        best = dict(amount=cur, fraction=cur / peak, peak=peak_ts, trough=ts, recovery=None)
iso = lambda t: None if t is None else dt.datetime.fromtimestamp(t / 1000, dt.timezone.utc).isoformat()
print('hwm', peak, 'points', len(points), 'longest dd days', longest / DAY)
print('maxdd amount', round(best['amount'], 2), 'fraction', repr(best['fraction']), 'peak', iso(best['peak']), 'trough', iso(best['trough']), 'recovery', iso(best['recovery']))
print('calmar', repr(ann / best['fraction']))

nets = [float(t[4]) for t in trades]
wins = [x for x in nets if x > 0]; losses = [x for x in nets if x < 0]
hold = [t[1] - t[0] for t in trades]
rets = [float(t[4] / (t[2] * QTY)) for t in trades]
print('trades', len(trades), 'wins', len(wins), 'losses', len(losses), 'net', sum(t[4] for t in trades))
print('avg win', round(np.mean(wins), 2), 'avg loss', round(np.mean(losses), 2), 'largest', max(nets), min(nets))
print('profit factor', repr(sum(wins) / -sum(losses)), 'expectancy', round(np.mean(nets), 2))
print('avg hold days', np.mean(hold) / DAY, 'median hold days', np.median(hold) / DAY, 'avg return', repr(np.mean(rets)))
print('avg return per signal (cross_up)', repr(sum(rets) / signals['sma_cross_up']))
streak = lw = ll = 0
for x in nets:
    streak = (streak + 1 if streak > 0 else 1) if x > 0 else (streak - 1 if streak < 0 else -1) if x < 0 else 0
    lw = max(lw, streak); ll = max(ll, -streak)
print('max consecutive wins', lw, 'losses', ll)
