# Independent expected values for src/analytics/performance-monitor.test.ts (scenario "scripted bars"). Run: python3 src/analytics/testdata/scenario_expected.py
import numpy as np
from decimal import Decimal as D, ROUND_HALF_UP
T0 = 1767571200000  # 2026-01-05T00:00:00Z
H = 3_600_000
test = [(100,100),(100,101),(102,104),(105,106),(107,106),(105,104),(103,101),(100,99),(98,99),(100,101),(101,103),(102,100),(99,98),(98,97)]
alt = [(50,50)]*14
# fills: bar index k where the order fills at that bar's open
fills = {('T',2):('B',10),('T',5):('S',10),('T',6):('S',10),('T',8):('B',10),('T',10):('B',10),('T',12):('S',10),('T',13):('B',10),('A',3):('B',10)}
fee_rate = D('0.001')
cash = D(10000); qty = {'T':0,'A':0}; mark = {'T':None,'A':None}
def equity():
    return cash + sum(D(qty[i])*D(mark[i]) for i in qty if qty[i] != 0)
points = [(T0, equity(), 'start')]
grid = []
fees_total = D(0)
E = []
for k in range(14):
    ts = T0 + k*H
    if k >= 1:
        e = equity(); points.append((ts, e, 'grid')); grid.append(e)
    filled = False
    for inst, bars in (('T', test), ('A', alt)):
        o, c = bars[k]
        f = fills.get((inst, k))
        if f:
            filled = True
            side, q = f
            notional = D(o) * q
            fee = (notional * fee_rate).quantize(D('0.01'), rounding=ROUND_HALF_UP)
            fees_total += fee
            s = 1 if side == 'B' else -1
            cash -= s * notional + fee
            qty[inst] += s * q
            if mark[inst] is None: mark[inst] = o
        mark[inst] = c
    if filled:  # one sample after the fills of an instant, once all its bars are handled
        points.append((ts, equity(), 'fill'))
    E.append(equity())
final = equity()
points.append((T0 + 13*H, final, 'stop'))
print('final equity', final, 'fees', fees_total)
print('E per bar', [str(x) for x in E])
# returns: start base, grid samples, final stop
series = [D(10000)] + grid + [final]
r = np.array([float(series[i]/series[i-1]) - 1 for i in range(1, len(series))])
ppy = 365*24*3600*1000 / H
rf = 0.02
n = len(r)
sd = r.std(ddof=1)
print('periods', n, 'ppy', ppy)
print('mean', repr(r.mean()), 'std', repr(sd))
print('volatility', repr(sd*np.sqrt(ppy)))
print('sharpe', repr((r.mean() - rf/ppy)/sd*np.sqrt(ppy)))
dd = np.sqrt(np.mean(np.minimum(0, r)**2))
print('downside', repr(dd), 'sortino', repr(r.mean()/dd*np.sqrt(ppy)))
print('best', repr(r.max()), 'worst', repr(r.min()))
tot = np.prod(1+r) - 1
ann = np.prod(1+r)**(ppy/n) - 1
print('total', repr(tot), 'annualized', repr(ann))
# drawdown over every point, DrawdownTracker semantics
peak = None; peak_ts = None; cur = 0; longest = 0; best = None
for ts, e, kind in points:
    e = float(e)
    if peak is None or e >= peak:
        if cur > 0:
            longest = max(longest, ts - peak_ts)
            if best and best['recovery'] is None: best['recovery'] = ts
        peak, peak_ts, cur = e, ts, 0
        continue
    cur = peak - e
    longest = max(longest, ts - peak_ts)
    frac = cur / peak
    if best is None or frac > best['fraction']:
        best = dict(amount=cur, fraction=frac, peak=peak_ts, trough=ts, recovery=None)
print('hwm', peak, 'current dd', cur, 'dd duration', (points[-1][0]-peak_ts) if cur > 0 else 0, 'longest', longest)
print('maxdd', {k: v for k, v in best.items()}, 'peakh', (best['peak']-T0)/H, 'troughh', (best['trough']-T0)/H, 'recoveryh', None if best['recovery'] is None else (best['recovery']-T0)/H)
print('calmar', repr(ann / best['fraction']))
print('points', len(points), [ (int((ts-T0)/H), str(e), k) for ts, e, k in points])
# today (America/New_York): day starts 2026-01-05T05:00Z = T0+5H; starting equity = equity before bar 5 = E[4]
print('today pnl', final - E[4], 'return', repr(float((final - E[4]) / E[4])))
# trades
nets = [27.93, 47.99, -22.00]
entry = [1020, 1030, 1010]
rets = [a/b for a, b in zip(nets, entry)]
print('trade returns', [repr(x) for x in rets], 'avg', repr(np.mean(rets)))
print('breakout avg/signal', repr((rets[0] + rets[2]) / 4), 'per trade', repr((rets[0] + rets[2]) / 2))
print('reversal avg/signal', repr(rets[1]))
print('profit factor', repr((27.93 + 47.99) / 22), 'expectancy', repr((27.93 + 47.99 - 22) / 3))
print('order-to-fill mean us', repr((7*3.6e9 + 3.57e9)/8))
