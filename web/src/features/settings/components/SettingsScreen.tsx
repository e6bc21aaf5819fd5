/** Settings: the owner's zone and briefing, the app's preferences, the AI provider, sessions, data. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import { useAiStatus, useBackup, useDisconnectSession, useSessions, useTestAi } from '../api/admin';
import { useExport } from '../api/export';
import { useSavePreferences, useSettings, useUpdateSettings, type Settings } from '../api/settings';
import '../settings.css';

const zones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const list = intl.supportedValuesOf?.('timeZone') ?? [];
  return list.includes('UTC') ? list : ['UTC', ...list];
};

function ZoneAndBriefing({ settings }: { settings: Settings }) {
  const update = useUpdateSettings();
  const [zone, setZone] = useState(settings.timezone);
  const [briefing, setBriefing] = useState(settings.briefing_time);
  const all = useMemo(zones, []);
  const [field, setField] = useState<'timezone' | 'briefing_time'>('timezone');
  const saved = update.isSuccess
    ? field === 'timezone'
      ? `Timezone set to ${update.data.timezone}.`
      : `Briefing time set to ${update.data.briefing_time}.`
    : '';
  const valid = all.includes(zone);
  return (
    <section class="card settings-card" aria-labelledby="set-time">
      <h2 id="set-time">Time</h2>
      <form
        class="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          setField('timezone');
          update.mutate({ timezone: zone });
        }}
      >
        <label for="set-zone">Timezone</label>
        <input
          id="set-zone"
          list="set-zone-list"
          value={zone}
          autoComplete="off"
          placeholder="Type to search, e.g. Europe/Paris"
          onInput={(e) => setZone(e.currentTarget.value)}
          aria-describedby="set-zone-help"
        />
        <datalist id="set-zone-list">
          {all.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <button
          type="submit"
          class="primary"
          disabled={!valid || zone === settings.timezone || update.isPending}
        >
          Save timezone
        </button>
        <small id="set-zone-help" class="muted">
          {valid || !zone ? 'Dates, Today and the calendar use this zone.' : 'Pick a zone from the list.'}
        </small>
      </form>
      <form
        class="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          setField('briefing_time');
          update.mutate({ briefing_time: briefing });
        }}
      >
        <label for="set-briefing">Daily briefing at</label>
        <input
          id="set-briefing"
          type="time"
          value={briefing}
          onInput={(e) => setBriefing(e.currentTarget.value)}
        />
        <button
          type="submit"
          class="primary"
          disabled={!briefing || briefing === settings.briefing_time || update.isPending}
        >
          Save briefing time
        </button>
      </form>
      <p role="status" class="muted">
        {saved}
      </p>
      {update.isError && (
        <p class="error" role="alert">
          Not saved: {errorMessage(update.error)}
        </p>
      )}
    </section>
  );
}

function Preferences({ settings }: { settings: Settings }) {
  const save = useSavePreferences();
  const s = settings.settings;
  const theme = s.theme === 'light' || s.theme === 'dark' ? s.theme : 'system';
  return (
    <section class="card settings-card" aria-labelledby="set-prefs">
      <h2 id="set-prefs">Preferences</h2>
      <fieldset class="settings-theme">
        <legend>Theme</legend>
        {(['system', 'light', 'dark'] as const).map((t) => (
          <label key={t}>
            <input
              type="radio"
              name="theme"
              value={t}
              checked={theme === t}
              onChange={() => save.mutate({ theme: t })}
            />{' '}
            {t === 'system' ? 'Same as the device' : t === 'light' ? 'Light' : 'Dark'}
          </label>
        ))}
      </fieldset>
      <label class="settings-check">
        <input
          type="checkbox"
          checked={s.sendOnEnter ?? true}
          onChange={(e) => save.mutate({ sendOnEnter: e.currentTarget.checked })}
        />{' '}
        Send messages with Enter (otherwise Ctrl+Enter sends and Enter adds a line)
      </label>
      <label class="settings-check">
        <input
          type="checkbox"
          checked={s.showTimestamps ?? false}
          onChange={(e) => save.mutate({ showTimestamps: e.currentTarget.checked })}
        />{' '}
        Show the time of each message
      </label>
      {save.isError && (
        <p class="error" role="alert">
          Not saved: {errorMessage(save.error)}
        </p>
      )}
    </section>
  );
}

function AiProvider() {
  const status = useAiStatus();
  const test = useTestAi();
  return (
    <section class="card settings-card" aria-labelledby="set-ai">
      <h2 id="set-ai">AI provider</h2>
      {status.isPending ? (
        <p class="muted">Loading…</p>
      ) : status.isError ? (
        <p class="error" role="alert">
          {errorMessage(status.error)}
        </p>
      ) : (
        <dl class="settings-dl">
          <dt>Provider</dt>
          <dd>
            {status.data.provider === 'none' ? 'None (offline understanding only)' : status.data.provider}
          </dd>
          <dt>Model</dt>
          <dd>{status.data.model || '—'}</dd>
          <dt>Address</dt>
          <dd>{status.data.base_url || '—'}</dd>
          <dt>Reachable</dt>
          <dd>{status.data.reachable === null ? 'Not checked yet' : status.data.reachable ? 'Yes' : 'No'}</dd>
        </dl>
      )}
      <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
        {test.isPending ? 'Testing…' : 'Test the AI provider'}
      </button>
      <p role="status" class={test.data && !test.data.ok ? 'error' : 'muted'}>
        {test.data
          ? test.data.ok
            ? `Works: answered in ${test.data.latency_ms ?? '?'} ms — “${test.data.reply ?? ''}”`
            : `Failed: ${test.data.error ?? 'no answer'}`
          : test.isError
            ? `Test failed: ${errorMessage(test.error)}`
            : ''}
      </p>
    </section>
  );
}

function Sessions() {
  const sessions = useSessions();
  const disconnect = useDisconnectSession();
  const fmt = (iso: string) =>
    new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section class="card settings-card" aria-labelledby="set-sessions">
      <h2 id="set-sessions">Signed-in devices</h2>
      {sessions.isPending ? (
        <p class="muted">Loading…</p>
      ) : sessions.isError ? (
        <p class="error" role="alert">
          {errorMessage(sessions.error)}
        </p>
      ) : (
        <ul class="settings-list">
          {sessions.data.map((s) => (
            <li key={s.id}>
              <div>
                <strong>{s.label || 'Unknown device'}</strong>
                {s.current && <span class="badge"> This device</span>}
                <br />
                <small class="muted">
                  Signed in {fmt(s.created_at)} · last used {fmt(s.last_used_at)} · {s.open_sockets} open
                  connection{s.open_sockets === 1 ? '' : 's'}
                </small>
              </div>
              {!s.current && (
                <button
                  type="button"
                  class="danger"
                  aria-label={`Sign out ${s.label || 'device'} (signed in ${fmt(s.created_at)})`}
                  disabled={disconnect.isPending}
                  onClick={() => {
                    if (confirm(`Sign out ${s.label || 'this device'}? It will need the PIN again.`))
                      disconnect.mutate(s.id);
                  }}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {disconnect.isError && (
        <p class="error" role="alert">
          Could not sign that device out: {errorMessage(disconnect.error)}
        </p>
      )}
      <h3>Push devices</h3>
      <p class="muted">
        The ClawChat phone apps register themselves for push notifications when you allow them on the phone;
        this server does not list them. In this browser, reminders arrive as notifications while the tab is
        open.
      </p>
    </section>
  );
}

function Data() {
  const backup = useBackup();
  const exp = useExport();
  return (
    <section class="card settings-card" aria-labelledby="set-data">
      <h2 id="set-data">Your data</h2>
      <div class="settings-actions">
        <button type="button" onClick={() => backup.mutate()} disabled={backup.isPending}>
          {backup.isPending ? 'Backing up…' : 'Back up now'}
        </button>
        <button type="button" onClick={() => exp.mutate()} disabled={exp.isPending}>
          {exp.isPending ? 'Preparing…' : 'Export all data (JSON)'}
        </button>
      </div>
      <p role="status" class="muted">
        {backup.data
          ? `Backup written: ${backup.data.file} (${Math.round(backup.data.size_bytes / 1024)} KB).`
          : ''}
        {exp.data ? ` Downloaded ${exp.data}.` : ''}
      </p>
      {backup.isError && (
        <p class="error" role="alert">
          Backup failed: {errorMessage(backup.error)}
        </p>
      )}
      {exp.isError && (
        <p class="error" role="alert">
          {errorMessage(exp.error)}
        </p>
      )}
    </section>
  );
}

export function SettingsScreen() {
  const settings = useSettings();
  useEffect(() => {
    document.title = 'Settings · ClawChat';
  }, []);
  return (
    <main class="settings">
      <h1>Settings</h1>
      {settings.isPending ? (
        <p class="muted">Loading…</p>
      ) : settings.isError ? (
        <p class="error" role="alert">
          Could not load settings: {errorMessage(settings.error)}
        </p>
      ) : (
        <>
          <ZoneAndBriefing settings={settings.data} />
          <Preferences settings={settings.data} />
          <AiProvider />
          <Sessions />
          <Data />
        </>
      )}
    </main>
  );
}

export default SettingsScreen;
