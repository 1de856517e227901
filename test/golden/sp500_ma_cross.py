"""Independent reference for the golden backtest (test/golden.test.ts).

Re-implements, without any Bourse code, a long-only SMA(10)/SMA(30) crossover on the shipped
S&P 500 daily bars: a target is taken from the side of the fast average on each bar once the
slow average is defined (the first such bar only records the side), an order is decided on a
bar's close and filled at the NEXT bar's open, size 10 units, taker fee 0.05% of notional rounded
half away from zero to the cent. Prints the fills and the final equity (cash + 10 × last close).

Run: python3 test/golden/sp500_ma_cross.py data/sp500-2019-2020.csv
"""
import csv
import json
import sys
from decimal import Decimal, ROUND_HALF_UP

FAST, SLOW, SIZE, FEE = 10, 30, 10, Decimal("0.0005")


def main(path):
    rows = list(csv.DictReader(open(path)))
    closes, fills = [], []
    cash, pos, target, pending = Decimal("100000"), 0, None, None
    for i, r in enumerate(rows):
        o, c = Decimal(r["open"]), Decimal(r["close"])
        if pending is not None:  # the order decided on the previous close fills at this open
            side, qty = pending
            notional = o * qty
            fee = (notional * FEE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            cash += (-notional if side == "BUY" else notional) - fee
            pos += qty if side == "BUY" else -qty
            fills.append({"date": r["date"], "side": side, "qty": qty, "price": str(o), "fee": str(fee)})
            pending = None
        closes.append(float(c))
        if len(closes) < SLOW:
            continue
        fast = sum(closes[-FAST:]) / FAST
        slow = sum(closes[-SLOW:]) / SLOW
        if fast == slow:
            continue
        wanted = "LONG" if fast > slow else "FLAT"
        if wanted == target:
            continue
        first = target is None
        target = wanted
        if first:
            continue
        diff = (SIZE if wanted == "LONG" else 0) - pos
        if diff != 0:
            pending = ("BUY" if diff > 0 else "SELL", abs(diff))
    last_close = Decimal(rows[-1]["close"])
    equity = cash + pos * last_close
    print(json.dumps({"fills": fills, "position": pos, "cash": str(cash), "finalEquity": str(equity)}, indent=1))


main(sys.argv[1])
