/**
 * Word lists the rules lean on. A todo title is usually an imperative ("buy milk", "call the bank"),
 * an event title a noun phrase ("lunch with Sam", "design review"); these lists tell them apart.
 */

const list = (s: string): Set<string> => new Set(s.trim().split(/\s+/));

/**
 * Verbs that open a todo title, once each, in alphabetical order. Words that are also event nouns
 * are handled in `looksLikeEventTitle`.
 */
export const TODO_VERBS = list(`
  accept add adopt answer apologise apologize appeal apply archive arrange ask assemble attach
  attend back backup bake bathe bcc bike binge blog blow boil book borrow brainstorm bring brush
  build burn buy calculate calibrate call cancel caulk cc change charge chase check choose chop
  claim clean clear close collect comment compare complete configure confirm congratulate contact
  cook copy correct count cover cross cut cycle deal debug decide declutter defrost delete deliver
  deploy deposit descale design dial dispose dispute dm do document donate double-check download
  draw drill drink drive drop dry dust e-mail edit email empty enrol enroll enter exchange exercise
  expense extend facetime fax feed fetch file fill film finalise finalize find finish fix floss fold
  follow forward fry get gift give glue go grab grill groom hammer hand hang heat help hike hire
  hoover inform install investigate invite invoice iron jog label learn leave lend load lock look
  mail make marinate measure meditate memorise memorize mend merge message microwave migrate mop
  move mow nap notify open order organise organize outline pack paint pair pass patch pay pet phone
  photograph pick pin ping pitch plan plant play plug plunge polish post postpone practice practise
  pray prep prepare print proofread publish purchase push put reach read rebook reboot recharge
  recheck record recycle refactor refill refuel refund register rehearse reimburse reinstall release
  reload remind renew rent repair replace reply report request reschedule research reserve reset
  respond restart restock restore return review rewrite ring rinse rsvp run sand sanitize save scan
  schedule screw scrub sell send service set settle sew share shave ship shop shovel shower shred
  shut sign sketch skype sleep soak sort split spray start steam stock stop store stretch study
  submit subscribe summarise summarize sweep swim switch take talk tell test text thank throw tidy
  tip top track transfer translate trim try tune turn tweet unclog unload unlock unpack unplug
  unsubscribe update upgrade upload vacuum varnish verify visit volunteer vote walk warn wash watch
  water wax weigh whatsapp wipe withdraw work wrap write
`);

/**
 * Verbs that delete an item ("get rid of", "call off"): the delete rule and the
 * "<what>, <command it>" rule read the same set. "take" only deletes with "off my list" after it.
 */
export const DELETE_VERBS = [
  'delete',
  'remove',
  'cancel',
  'drop',
  'erase',
  'trash',
  'scrap',
  'discard',
  'ditch',
  'clear',
  'kill',
  'nuke',
  'scratch',
  'get rid of',
  'call off',
  'throw out',
  'throw away',
  'wipe',
  'take',
  'axe',
  'bin',
] as const;

/** Verbs that tick an item off ("mark it done", "cross off the milk"). */
export const TICK_VERBS = ['mark', 'check', 'tick', 'cross'] as const;

/** A regex alternation of phrases, any run of spaces inside a phrase matching one space. */
export const alternation = (phrases: readonly string[]): string =>
  phrases.map((p) => p.replace(/ /g, String.raw`\s+`)).join('|');

/** Nouns naming something that happens at a time: the head of an event title. */
export const EVENT_NOUNS = list(`
  meeting meetings meetup appointment appointments appt interview lunch dinner breakfast brunch coffee drinks
  standup stand-up sync 1:1 one-on-one session class lesson lecture seminar webinar workshop conference
  summit party celebration wedding funeral ceremony concert gig match flight offsite retreat demo
  presentation recital performance rehearsal training exam checkup check-up haircut dentist doctor
  doctor's dentist's therapy physio massage date hangout catch-up catchup reunion tour gym yoga pilates
  workout birthday anniversary event festival hackathon screening movie opera ballet service mass kickoff
  kick-off all-hands townhall scrum retro retrospective orientation onboarding consultation hearing vet
  surgery shift reservation playdate sleepover bbq barbecue picnic potluck shower graduation viewing
  club huddle debrief call review game trip visit practice chat vacation holiday soccer football futsal
  basketball baseball volleyball tennis badminton golf bowling hockey rugby cricket climbing swimming
  choir orchestra band rehearsal tutoring homeroom semester exam quiz midterm finals block webinar
`);

/** First words that modify an event noun: "design review", "book club", "launch party". */
export const EVENT_MODIFIERS = list(`
  design code sprint budget product project board team client sales strategy planning performance status
  launch training practice study book test all staff weekly monthly daily quarterly family
  run swim paint draw sing walk hike climb dance
`);

/** Event nouns that take such a modifier; "book dentist appointment" is still a todo. */
export const MODIFIED_HEADS = list(`
  review meeting sync session call demo presentation workshop club group class party planning standup retro
  kickoff lunch dinner practice training launch night fair reading signing
  lesson lessons meetup group
`);

/** Verbs that make an event rather than a todo: "meet Sam for coffee". */
export const EVENT_VERBS = list(`meet meeting`);

/** Words that do not identify an item; the target matcher and cleaners drop them. */
export const STOPWORDS = list(`
  a an the my our your his her their this that these those it its to of for with on in at by and or from
  about regarding re item items one thing task tasks todo todos to-do to-dos reminder reminders event events
  note notes memo memos entry please me i
`);

const STOP_PHRASE = new Set(['with', 'at', 'in', 'on', 'for', 'about', 'to', 'from', 'by']);

/** Whether a title opens with an imperative, as todo titles do ("buy milk", "call the bank"). */
export function startsWithTodoVerb(ws: readonly string[]): boolean {
  return ws[0] !== undefined && TODO_VERBS.has(ws[0]) && !looksLikeEventTitle(ws);
}

/**
 * Whether a title names something that happens ("lunch with Sam", "design review", "call with
 * Jiwoo") rather than something to do ("call the bank", "review pull requests").
 */
export function looksLikeEventTitle(ws: readonly string[], raw = ''): boolean {
  const [w0, w1] = ws;
  if (w0 === undefined) return false;
  if (/\b1:1\b|\bone[\s-]on[\s-]one\b/i.test(raw)) return true;
  if (EVENT_VERBS.has(w0)) return true;
  if (w1 === 'with' && (EVENT_NOUNS.has(w0) || ['catch', 'meet', 'sync', 'talk'].includes(w0))) return true;
  if (TODO_VERBS.has(w0)) return EVENT_MODIFIERS.has(w0) && w1 !== undefined && MODIFIED_HEADS.has(w1);
  for (const w of ws.slice(0, 4)) {
    if (STOP_PHRASE.has(w)) break;
    if (EVENT_NOUNS.has(w)) return true;
  }
  return false;
}
