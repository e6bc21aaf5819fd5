/**
 * The ICS subscription link. The server stores only a hash of the secret, so the link is shown
 * when it is made; making one replaces the previous link (hence "rotate" asks first).
 */
import { useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import { useFeedKey } from '../api/feed-key';

export function FeedLink() {
  const feed = useFeedKey();
  const [copied, setCopied] = useState('');
  const url = feed.data?.url ?? '';
  return (
    <section class="card cal-feed" aria-labelledby="cal-feed-title">
      <h2 id="cal-feed-title">Subscribe from another calendar</h2>
      {!url ? (
        <>
          <p class="muted">
            Get a private link that calendar apps (Apple, Google, Thunderbird) can subscribe to. Getting a
            link replaces any link made before.
          </p>
          <button type="button" onClick={() => feed.mutate()} disabled={feed.isPending}>
            {feed.isPending ? 'Making a link…' : 'Get subscription link'}
          </button>
        </>
      ) : (
        <>
          <label for="cal-feed-url">Subscription link</label>
          <div class="cal-feed-row">
            <input id="cal-feed-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
            <button
              type="button"
              onClick={() => {
                navigator.clipboard.writeText(url).then(
                  () => setCopied('Link copied.'),
                  () => setCopied('Could not copy: select the link and copy it.'),
                );
              }}
            >
              Copy link
            </button>
            <button
              type="button"
              class="danger"
              disabled={feed.isPending}
              onClick={() => {
                if (confirm('Make a new link? Calendar apps using the current link stop receiving updates.'))
                  feed.mutate();
              }}
            >
              Rotate link
            </button>
          </div>
          <p class="muted">Keep it private: anyone with the link can read your calendar.</p>
        </>
      )}
      <p role="status" class="muted">
        {copied}
      </p>
      {feed.isError && (
        <p class="error" role="alert">
          {errorMessage(feed.error)}
        </p>
      )}
    </section>
  );
}
