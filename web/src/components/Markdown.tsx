import { renderMarkdown } from '../lib/markdown';

/** Sanitised Markdown; the HTML comes from renderMarkdown (DOMPurify), never raw model HTML. */
export function Markdown({ text }: { text: string }) {
  return <div class="md" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}
