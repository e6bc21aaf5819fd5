import { lazyScreen } from '../../components/Lazy';

/** The Memos workspace, loaded on first visit (its own chunk). */
export const MemosRoute = lazyScreen(() => import('./components/MemosScreen').then((m) => m.MemosScreen));
