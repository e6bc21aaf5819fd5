import { render } from 'preact';
import { App } from './app/App';
import { socket } from './lib/socket';
import './app/styles.css';

render(<App />, document.getElementById('app')!);

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener(
    'load',
    () => void navigator.serviceWorker.register('/sw.js').catch(() => undefined),
  );
}

// For the browser tests: drop the socket as a network would, to prove a reply resumes.
(window as unknown as { __clawchat: object }).__clawchat = { dropSocket: () => socket.drop() };
