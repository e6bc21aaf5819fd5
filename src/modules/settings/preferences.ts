/**
 * The ClawChat apps' preferences object (COMPAT.md "Today, settings, agent tasks"): a fixed
 * set of keys with fixed types, merged key by key by `PUT /api/settings`. Unknown keys are
 * dropped so an older server never stores what a newer app invents.
 */
import { Type, type Static, type TOptional, type TSchema } from '@sinclair/typebox';
import { Nullable } from '../common/schemas.js';

const PREFERENCE_TYPES = {
  fontSize: Type.Integer(),
  messageBubbleStyle: Type.String({ maxLength: 50 }),
  sendOnEnter: Type.Boolean(),
  showTimestamps: Type.Boolean(),
  showAvatars: Type.Boolean(),
  llmModel: Type.String({ maxLength: 200 }),
  temperature: Type.Number(),
  systemPrompt: Type.String({ maxLength: 8000 }),
  maxTokens: Type.Integer(),
  streamResponses: Type.Boolean(),
  theme: Type.String({ maxLength: 50 }),
  compactMode: Type.Boolean(),
  sidebarSize: Type.Number(),
  chatPanelSize: Type.Number(),
  notificationsEnabled: Type.Boolean(),
  reminderSound: Type.Boolean(),
  saveHistory: Type.Boolean(),
  analyticsEnabled: Type.Boolean(),
} satisfies Record<string, TSchema>;

export const PREFERENCE_KEYS = Object.keys(PREFERENCE_TYPES) as (keyof typeof PREFERENCE_TYPES)[];

/** What is stored and answered: every key optional. */
export const Preferences = Type.Partial(Type.Object(PREFERENCE_TYPES), {
  description: "The apps' preferences; {} until saved",
});
export type Preferences = Static<typeof Preferences>;

/** `PUT /api/settings`: a null leaves the stored value as it is; other keys are ignored. */
export const PreferencesPut = Type.Object(
  Object.fromEntries(PREFERENCE_KEYS.map((k) => [k, Type.Optional(Nullable(PREFERENCE_TYPES[k]))])) as Record<
    keyof typeof PREFERENCE_TYPES,
    TOptional<TSchema>
  >,
);

/** The stored preferences with the body's non-null known keys laid over them. */
export function mergePreferences(stored: Preferences, body: Record<string, unknown>): Preferences {
  const merged: Record<string, unknown> = { ...stored };
  for (const key of PREFERENCE_KEYS)
    if (body[key] !== undefined && body[key] !== null) merged[key] = body[key];
  return merged;
}

/** Stored JSON back to preferences, keeping only known keys (a hand-edited row cannot inject others). */
export function readPreferences(json: string | undefined): Preferences {
  if (!json) return {};
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    return Object.fromEntries(PREFERENCE_KEYS.filter((k) => k in value).map((k) => [k, value[k]]));
  } catch {
    return {};
  }
}
