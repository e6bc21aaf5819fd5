/** TypeBox pieces every module's schemas share: the error body, pages, nullable fields. */
import { Type, type Static, type StringOptions, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * OpenAPI 3.0's `nullable`, not `anyOf [T, null]`: 3.0 has no null type, and the serializer
 * answers `nullable` with a typeof check where `anyOf` made it run a validator per value.
 */
export const Nullable = <T extends TSchema>(schema: T): TUnsafe<Static<T> | null> =>
  Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error has this body' },
);

/** The error statuses a route documents; the body is always ErrorResponse. */
export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, Type.Ref('ErrorResponse')]));

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    page: Type.Integer(),
    limit: Type.Integer(),
  });

/** `page` and `limit` with the endpoint's default and maximum; out of bounds is a 400, never clamped. */
/** Pages past this are refused: the offset must stay a 64-bit integer for the database. */
export const MAX_PAGE = 1_000_000;

export const PageQuery = (defaultLimit: number, maxLimit: number) => ({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit, default: defaultLimit })),
});

/** An id as a client sends it (in a path, a query or a body): the bounds every route checks. */
export const IdInput = (options: StringOptions = {}) =>
  Type.String({ minLength: 1, maxLength: 100, ...options });

export const IdParams = Type.Object({ id: IdInput() });

/** An input instant: RFC 3339, a local date-time, or a bare date (read in the owner's zone). */
export const TimeInput = Type.String({
  minLength: 10,
  maxLength: 40,
  description: 'RFC 3339, local date-time or YYYY-MM-DD',
});

export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 });

export const Timestamp = Type.String({ format: 'date-time' });

/** A string enum as JSON Schema `enum`, so a bad value's error lists the allowed ones. */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TUnsafe<T[number]> => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
