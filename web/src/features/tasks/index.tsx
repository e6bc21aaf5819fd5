import { lazyScreen } from '../../components/Lazy';

/** The Tasks workspace, loaded on first visit (its own chunk). */
export const TasksRoute = lazyScreen(() => import('./components/TasksScreen').then((m) => m.TasksScreen));
