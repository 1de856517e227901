/**
 * Operator controls: kill switch on/off, flatten all, flatten one position, cancel an order,
 * pause/resume a strategy. Every action asks first in a real <dialog> (not window.confirm, so it
 * can be styled, tested and cannot be suppressed by the browser), then calls the control
 * endpoint and reports the outcome — the server's own message on failure — in a toast.
 * Buttons anywhere on the page declare what they do with `data-action`; clicks are delegated.
 */
import { ApiError, type Api } from './api';
import { byTestId, setText } from './dom';
import type { DashboardState } from './state';

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  /** An extra checkbox (e.g. "also flatten every position"). */
  option?: { label: string; checked: boolean };
}

export interface ConfirmAnswer {
  confirmed: boolean;
  option: boolean;
}

/** Shows the confirmation dialog; resolves when it closes (Confirm, Cancel or Escape). */
export function confirmAction(req: ConfirmRequest): Promise<ConfirmAnswer> {
  const dialog = byTestId<HTMLDialogElement>('confirm-dialog');
  setText(byTestId('confirm-title'), req.title);
  setText(byTestId('confirm-message'), req.message);
  const ok = byTestId<HTMLButtonElement>('confirm-ok');
  setText(ok, req.confirmLabel);
  ok.classList.toggle('danger', req.danger ?? false);
  const optionRow = byTestId('confirm-option');
  const optionInput = byTestId<HTMLInputElement>('confirm-option-input');
  optionRow.hidden = req.option === undefined;
  optionInput.checked = req.option?.checked ?? false;
  setText(byTestId('confirm-option-label'), req.option?.label ?? '');
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve({ confirmed: dialog.returnValue === 'ok', option: optionInput.checked }), { once: true });
    dialog.showModal();
    byTestId<HTMLButtonElement>('confirm-cancel').focus();
  });
}

let toastTimer: number | undefined;

/** Shows a short message at the bottom of the page. */
export function toast(kind: 'ok' | 'error', text: string): void {
  const node = byTestId('toast');
  node.dataset['kind'] = kind;
  setText(node, text);
  node.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (node.hidden = true), kind === 'error' ? 8000 : 4000);
}

/** A control: what to ask, and what to do once confirmed (decided together, so the answer matches the question). */
type Action = (button: HTMLElement) => { ask: ConfirmRequest; run: (answer: ConfirmAnswer) => Promise<string> };

export function installControls(api: Api, state: DashboardState, after: () => void): void {
  const attr = (b: HTMLElement, name: string): string => b.dataset[name] ?? '';

  const actions: Record<string, Action> = {
    'kill-switch': () => {
      if (state.risk?.state === 'HALTED') {
        return {
          ask: { title: 'Release the kill switch?', message: 'Trading resumes: strategies and the API may send orders again.', confirmLabel: 'Release' },
          run: async () => {
            const res = await api.killSwitch({ on: false, reason: 'kill switch released from the dashboard' });
            return `Trading state ${res.state}`;
          },
        };
      }
      return {
        ask: {
          title: 'Engage the kill switch?',
          message: 'Trading halts at once: every working order is canceled and every new order is denied until the switch is released.',
          confirmLabel: 'Halt trading',
          danger: true,
          option: { label: 'Also flatten every position', checked: false },
        },
        run: async (answer) => {
          const res = await api.killSwitch({ on: true, flatten: answer.option, reason: 'kill switch from the dashboard' });
          return `Trading state ${res.state}${res.orders.length > 0 ? `, ${res.orders.length} closing order(s)` : ''}`;
        },
      };
    },
    'flatten-all': () => ({
      ask: { title: 'Flatten every position?', message: 'Market orders close every open position.', confirmLabel: 'Flatten all', danger: true },
      run: async () => `Flatten all: ${(await api.flattenAll()).orders.length} order(s) sent`,
    }),
    flatten: (b) => {
      const symbol = attr(b, 'symbol');
      return {
        ask: { title: `Flatten ${symbol}?`, message: `A market order closes the whole ${symbol} position.`, confirmLabel: 'Flatten', danger: true },
        run: async () => `Flatten ${symbol}: ${(await api.flatten(symbol)).orders.length} order(s) sent`,
      };
    },
    cancel: (b) => {
      const id = attr(b, 'orderId');
      return {
        ask: { title: 'Cancel order?', message: `Order ${id} will be canceled at the venue.`, confirmLabel: 'Cancel order', danger: true },
        run: async () => `Cancel requested for ${(await api.cancelOrder(id)).order.clientOrderId}`,
      };
    },
    pause: (b) => {
      const id = attr(b, 'strategyId');
      return {
        ask: { title: `Pause ${id}?`, message: 'The strategy stops sending new orders; its working orders and positions stay.', confirmLabel: 'Pause' },
        run: () => pause(id, true),
      };
    },
    resume: (b) => {
      const id = attr(b, 'strategyId');
      return { ask: { title: `Resume ${id}?`, message: 'The strategy may send orders again.', confirmLabel: 'Resume' }, run: () => pause(id, false) };
    },
  };

  const pause = async (id: string, paused: boolean): Promise<string> => {
    const res = await api.pauseStrategy(id, paused);
    state.setStrategies(state.strategies.map((s) => (s.id === res.id ? { ...s, paused: res.paused } : s)));
    return `${res.id} ${res.paused ? 'paused' : 'resumed'}`;
  };

  document.addEventListener('click', (ev) => {
    const button = (ev.target as Element | null)?.closest<HTMLElement>('[data-action]');
    if (!button || (button as HTMLButtonElement).disabled) return;
    const action = actions[button.dataset['action'] ?? ''];
    if (!action) return;
    ev.preventDefault();
    const { ask, run } = action(button);
    void (async () => {
      const answer = await confirmAction(ask);
      if (!answer.confirmed) return;
      (button as HTMLButtonElement).disabled = true;
      try {
        toast('ok', await run(answer));
      } catch (err) {
        toast('error', err instanceof ApiError ? err.message : `failed: ${(err as Error).message}`);
      } finally {
        (button as HTMLButtonElement).disabled = false;
        after();
      }
    })();
  });
}
