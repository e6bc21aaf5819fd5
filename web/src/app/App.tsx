/** The app: session gate, the one socket, live data wiring, navigation and the screens. */
import { QueryClient, QueryClientProvider } from '@tanstack/preact-query';
import { useEffect } from 'preact/hooks';
import { Link, Route, Switch, useLocation, useRoute } from 'wouter-preact';
import { auth } from '../lib/auth';
import { useStore } from '../lib/hooks';
import { socket } from '../lib/socket';
import { notify, toastStore } from '../lib/toasts';
import { SignIn } from '../features/auth/components/SignIn';
import { logout } from '../features/auth/api/login';
import { useChatRealtime } from '../features/chat/hooks/useChatRealtime';
import { TodayScreen } from '../features/today/components/TodayScreen';
import { useTodayRealtime } from '../features/today/hooks/useTodayRealtime';
import { usePreferencesSync } from '../features/settings/hooks/usePreferencesSync';
import { lazyScreen } from '../lib/lazy';

// Every screen but Today (the landing page) is its own chunk, fetched on first visit.
const ChatScreen = lazyScreen(() =>
  import('../features/chat/components/ChatScreen').then((m) => m.ChatScreen),
);
const TasksScreen = lazyScreen(() =>
  import('../features/tasks/components/TasksScreen').then((m) => m.TasksScreen),
);
const MemosScreen = lazyScreen(() =>
  import('../features/memos/components/MemosScreen').then((m) => m.MemosScreen),
);
const CalendarScreen = lazyScreen(() =>
  import('../features/calendar/components/CalendarScreen').then((m) => m.default),
);
const SearchScreen = lazyScreen(() =>
  import('../features/search/components/SearchScreen').then((m) => m.default),
);
const SettingsScreen = lazyScreen(() =>
  import('../features/settings/components/SettingsScreen').then((m) => m.default),
);

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: true } },
});

function NavLink({ href, children }: { href: string; children: string }) {
  const [location] = useLocation();
  const active = href === '/' ? location === '/' : location.startsWith(href);
  return (
    <Link href={href} class={active ? 'active' : undefined} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

function Toaster() {
  const toasts = useStore(toastStore.subscribe, toastStore.get);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div class="toast" key={t.id}>
          <strong>{t.title}</strong>
          {t.body && <span>{t.body}</span>}
          <button type="button" aria-label={`Dismiss ${t.title}`} onClick={() => toastStore.dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

function ConnectionBadge() {
  const state = useStore(socket.onState, () => socket.state);
  if (state === 'open') return null;
  return (
    <span class="conn" role="status">
      {state === 'connecting' ? 'Connecting…' : 'Offline, reconnecting…'}
    </span>
  );
}

function SignedIn() {
  useChatRealtime();
  useTodayRealtime();
  usePreferencesSync();
  const [, chatId] = useRoute('/chat/:id');
  useEffect(() => {
    socket.start();
    const off = socket.on('notification', (n) => notify(n.title, n.body));
    return () => {
      off();
      socket.stop();
    };
  }, []);
  return (
    <div class="shell">
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">
          <img src="/icon.svg" alt="" width={24} height={24} /> ClawChat
        </span>
        <nav aria-label="Main">
          <NavLink href="/">Today</NavLink>
          <NavLink href="/chat">Chat</NavLink>
          <NavLink href="/tasks">Tasks</NavLink>
          <NavLink href="/calendar">Calendar</NavLink>
          <NavLink href="/memos">Memos</NavLink>
          <NavLink href="/search">Search</NavLink>
          <NavLink href="/settings">Settings</NavLink>
        </nav>
        <ConnectionBadge />
        <button
          type="button"
          class="ghost"
          onClick={() => {
            queryClient.clear();
            void logout();
          }}
        >
          Sign out
        </button>
      </header>
      <div id="content" class="content">
        <Switch>
          <Route path="/">{() => <TodayScreen />}</Route>
          <Route path="/chat">{() => <ChatScreen id={null} />}</Route>
          <Route path="/chat/:id">{() => <ChatScreen id={chatId?.id ?? null} />}</Route>
          <Route path="/tasks">{() => <TasksScreen />}</Route>
          <Route path="/memos">{() => <MemosScreen />}</Route>
          <Route path="/calendar">{() => <CalendarScreen />}</Route>
          <Route path="/search">{() => <SearchScreen />}</Route>
          <Route path="/settings">{() => <SettingsScreen />}</Route>
          <Route>
            <main class="today">
              <h1>Not found</h1>
              <p>
                <Link href="/">Go to Today</Link>
              </p>
            </main>
          </Route>
        </Switch>
      </div>
      <Toaster />
    </div>
  );
}

export function App() {
  const status = useStore(auth.subscribe, () => auth.status);
  useEffect(() => {
    // A stored refresh token: get an access token before showing anything.
    if (auth.status === 'unknown') void auth.refresh();
  }, []);
  if (status === 'unknown')
    return (
      <p class="splash" role="status">
        Loading ClawChat…
      </p>
    );
  return (
    <QueryClientProvider client={queryClient}>
      {status === 'signed_in' ? <SignedIn /> : <SignIn />}
    </QueryClientProvider>
  );
}
