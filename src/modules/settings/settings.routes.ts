import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import { Preferences, PreferencesPut } from './preferences.js';
import type { SettingsService } from './settings.service.js';

const Settings = Type.Object({
  timezone: Type.String(),
  briefing_time: Type.String(),
  settings: Preferences,
  updated_at: Type.String({ description: 'When the preferences were last saved (ISO), or "" when never' }),
});

export async function settingsRoutes(app: App, opts: { settings: SettingsService }): Promise<void> {
  app.get(
    '/api/settings',
    {
      schema: {
        tags: ['settings'],
        summary: "The owner's settings",
        response: { 200: Settings, ...errorResponses(401) },
      },
    },
    async () => opts.settings.get(),
  );
  app.patch(
    '/api/settings',
    {
      schema: {
        tags: ['settings'],
        summary: 'Change the timezone or the briefing time',
        body: Type.Object({
          timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone' })),
          briefing_time: Type.Optional(
            Type.String({ minLength: 1, maxLength: 5, description: 'HH:MM, 24h' }),
          ),
        }),
        response: { 200: Settings, ...errorResponses(400, 401) },
      },
    },
    async (req) => opts.settings.update(req.body),
  );
  app.put(
    '/api/settings',
    {
      schema: {
        tags: ['settings'],
        summary: "Merge the apps' preferences (non-null known keys; others are ignored)",
        body: PreferencesPut,
        response: { 200: Settings, ...errorResponses(400, 401) },
      },
    },
    async (req) => opts.settings.putPreferences(req.body),
  );
}
