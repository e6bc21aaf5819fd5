/**
 * Word lists the rules lean on. A todo title is usually an imperative ("buy milk", "call the bank"),
 * an event title a noun phrase ("lunch with Sam", "design review"); these lists tell them apart.
 */

const list = (s: string): Set<string> => new Set(s.trim().split(/\s+/));

/** Verbs that open a todo title. Words that are also event nouns are handled in `looksLikeEventTitle`. */
export const TODO_VERBS = list(`
  accept add adopt apply archive attend bathe bike binge blow boil brainstorm bring buy arrange ask assemble attach back backup bake bathe book borrow bring brush
  build burn buy calculate call cancel change charge chase check choose clean clear close collect comment
  confirm contact cook copy correct count cover cut deal debug decide declutter defrost delete deliver deploy
  deposit design dispose do donate download drink drive drop dust edit email e-mail empty enroll enter
  exchange exercise expense fax feed file fill find finish fix fold follow get give go grab hand hang
  help hire install invite invoice iron label learn leave lend look mail make measure memorize merge message
  mop move mow order organise organize pack paint pass pay phone pick pin ping plan plant play polish post
  prep prepare print proofread publish purchase push put read rebook reboot recharge recycle refill
  refactor register reinstall release remind renew rent repair replace reply report request reschedule
  reserve reset respond restart return review rewrite ring run sanitize save scan schedule sell send set
  sew share shop shovel shred sign sort spray start stock stop store study submit subscribe sweep switch take
  talk tell test text thank throw tidy top track transfer translate trim try turn unpack unsubscribe update
  upgrade upload vacuum verify visit wash watch water wipe withdraw work wrap write
  walk jog swim cycle hike stretch meditate practise practice rehearse shave shower sleep nap pray floss
  dry soak marinate chop bake grill fry heat microwave unload load reload restock refuel wax tune service
  pitch sketch draw film record photograph edit proofread outline summarize summarise review memorise
  research investigate compare contact reach notify warn inform remind invite congratulate apologize apologise
  forward reply cc bcc dial facetime skype whatsapp dm tweet blog vote volunteer donate tip settle split
  reimburse claim refund dispute appeal renew extend cancel postpone confirm rsvp register enrol sign unsubscribe
  water mend patch glue screw drill hammer sand paint varnish caulk plunge unclog descale defrost declutter
  hoover dust polish scrub rinse iron steam fold hang sort pair tidy replace charge plug unplug fill empty
  collect deliver ship wrap gift pack unpack label weigh measure calibrate backup restore migrate
  finalise finalize complete double-check recheck cross prepare assemble configure document
  bring grab fetch drop leave lock unlock open shut feed pet groom brush bathe
  get ask answer email text call phone ring message book pay buy order send check pick
`);

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
  choir orchestra band rehearsal tutoring homeroom semester exam quiz midterm finals
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
