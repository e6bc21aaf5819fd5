/** In-app toasts, and browser notifications while the tab is open when the user allowed them. */
export interface Toast {
  id: number;
  title: string;
  body: string;
}

let seq = 0;
let toasts: Toast[] = [];
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export const toastStore = {
  get: () => toasts,
  subscribe: (l: () => void): (() => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  show(title: string, body = '', timeoutMs = 8000): void {
    const toast = { id: ++seq, title, body };
    toasts = [...toasts.slice(-3), toast];
    emit();
    setTimeout(() => toastStore.dismiss(toast.id), timeoutMs);
  },
  dismiss(id: number): void {
    toasts = toasts.filter((t) => t.id !== id);
    emit();
  },
};

export function notify(title: string, body: string): void {
  toastStore.show(title, body);
  if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
    try {
      new Notification(title, { body, icon: '/icon-192.png' });
    } catch {
      // Some platforms allow notifications from a service worker only; the toast is there.
    }
  }
}
