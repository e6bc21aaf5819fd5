import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PageQuery, StringEnum, Timestamp } from '../common/schemas.js';

export const NOTIFICATION_KINDS = ['reminder', 'overdue', 'briefing', 'agent_task'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const Notification = Type.Object(
  {
    id: Type.String(),
    kind: StringEnum(NOTIFICATION_KINDS),
    title: Type.String(),
    body: Type.String(),
    conversation_id: Nullable(Type.String()),
    item_id: Nullable(Type.String()),
    created_at: Timestamp,
    read_at: Nullable(Timestamp),
  },
  { $id: 'Notification' },
);
export type Notification = Static<typeof Notification>;

export const NotificationPage = Page(Type.Ref(Notification));

export const NotificationListQuery = Type.Object({
  unread: Type.Optional(Type.Boolean({ description: 'true: only unread ones; false: only read ones' })),
  ...PageQuery(20, 100),
});
export type NotificationListQuery = Static<typeof NotificationListQuery>;

export const RegisterTokenBody = Type.Object({
  token: Type.String({
    minLength: 1,
    maxLength: 300,
    description: 'An Expo push token: ExponentPushToken[...]',
  }),
  device_id: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  platform: Type.Optional(Nullable(Type.String({ maxLength: 50, description: 'e.g. ios, android, web' }))),
});
export type RegisterTokenBody = Static<typeof RegisterTokenBody>;

export const UnregisterTokenBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 300 }),
});
export type UnregisterTokenBody = Static<typeof UnregisterTokenBody>;

export const Registered = Type.Object({ status: Type.Literal('registered') });
