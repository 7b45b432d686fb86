/**
 * The seed's data: the ASEAN–Japan Commemorative Summit (Tokyo, 16–18 December 2023) and the
 * commitments it produced, as trackable workstreams with dated milestones.
 *
 * Rules the data follows (the facts come from the editors' readings of public sources, the latest
 * checked on 2026-12-07, whose stored sources run to about the end of May 2026; docs/DATA.md lists
 * every workstream with its health and date bases):
 * - a `sourced` date comes from a named public source, cited in the milestone's note;
 * - a `planned` date is a publisher's stated plan, not an event;
 * - any other date is an editor's `assumed` date, and its note begins "Planning assumption:";
 * - a date known only to the month, quarter or year is recorded as the last day of that period with
 *   its `precision` (see `period`);
 * - a source quote is the source's own words, labelled `summit` or `context`;
 * - each workstream's `review` is the editors' last check: the date of the newest source they found
 *   for it, and what they checked.
 * Slugs and milestone positions are stable keys: the seed derives row ids from them, so corrections
 * are made in place and new milestones are appended.
 */
import type { CountryGroup, DateBasis, DatePrecision, Instrument, MilestoneStatus, Stage } from '@pledgewatch/database';

export interface CountrySeed {
  code: string;
  name: string;
  group: CountryGroup;
}

export interface SectorSeed {
  slug: string;
  name: string;
}

export interface SummitSourceSeed {
  title: string;
  url: string;
  publisher: string;
  /** ISO day; null when the source carries no date. */
  date: string | null;
}

export interface SummitSeed {
  slug: string;
  name: string;
  startDate: string;
  endDate: string;
  location: string;
  sources: SummitSourceSeed[];
}

/**
 * The sentence a commitment comes from, and where it was published. `kind` says whose words they
 * are: `summit` (the summit's own outcome, as reported) or `context` (later reporting about it).
 * A quote is always the source's words, never a paraphrase.
 */
export interface SourceCitation {
  quote: string;
  kind: 'summit' | 'context';
  title: string;
  publisher: string;
  /** ISO day; null when the source carries no date. */
  date: string | null;
  url?: string;
}

export interface MilestoneSeed {
  title: string;
  /**
   * ISO day. For a completed milestone both its completion and due date; otherwise its due date.
   * A date known only to the month, quarter or year is the period's last day, with `precision`.
   */
  date: string;
  /** How much of `date` is known; default `day`. */
  precision?: DatePrecision;
  status: MilestoneStatus;
  dateBasis: DateBasis;
  note: string;
  evidenceUrl?: string;
}

export interface WorkstreamSeed {
  slug: string;
  title: string;
  summary: string;
  countries: string[];
  sectors: string[];
  instrument: Instrument;
  stage: Stage;
  source: SourceCitation;
  /** Names the sources use for this commitment (vessel classes, agreement names, agencies). */
  watchTerms: string[];
  /** The editors' last check against the sources: the date of the newest source checked, and what was checked. */
  review: { date: string; note: string };
  milestones: MilestoneSeed[];
}

// Timor-Leste was an ASEAN observer at the 2023 summit and was admitted as ASEAN's 11th member on
// 26 October 2025 (Vietnam News, 26 Oct 2025,
// https://vietnamnews.vn/world/1728144/asean-summit-47-timor-leste-officially-becomes-asean-s-11th-member.html),
// so its current group is `asean`.
export const COUNTRIES: CountrySeed[] = [
  { code: 'BN', name: 'Brunei Darussalam', group: 'asean' },
  { code: 'KH', name: 'Cambodia', group: 'asean' },
  { code: 'ID', name: 'Indonesia', group: 'asean' },
  { code: 'LA', name: 'Lao PDR', group: 'asean' },
  { code: 'MY', name: 'Malaysia', group: 'asean' },
  { code: 'MM', name: 'Myanmar', group: 'asean' },
  { code: 'PH', name: 'Philippines', group: 'asean' },
  { code: 'SG', name: 'Singapore', group: 'asean' },
  { code: 'TH', name: 'Thailand', group: 'asean' },
  { code: 'VN', name: 'Viet Nam', group: 'asean' },
  { code: 'TL', name: 'Timor-Leste', group: 'asean' },
  { code: 'JP', name: 'Japan', group: 'partner' },
];

export const SECTORS: SectorSeed[] = [
  { slug: 'diplomatic-relations', name: 'Diplomatic relations' },
  { slug: 'maritime-security', name: 'Maritime security' },
  { slug: 'defense', name: 'Defense' },
  { slug: 'economic-security', name: 'Economic security' },
  { slug: 'supply-chains', name: 'Supply chains' },
  { slug: 'trade-investment', name: 'Trade and investment' },
  { slug: 'energy-climate', name: 'Energy and climate' },
  { slug: 'digital', name: 'Digital' },
  { slug: 'space', name: 'Space' },
  { slug: 'connectivity', name: 'Connectivity' },
  { slug: 'people-to-people', name: 'People-to-people exchange' },
];

const ARTICLE_TITLE = 'Japan-ASEAN Ties Get a Big Boost at 50th Anniversary Summit';
// The article does not name its publisher; its "WonkCount" reading-time line is the house format
// of the ASEAN Wonk newsletter (aseanwonk.com). It names no URL of its own and carries no date, so
// both are left empty rather than invented: url '' (SummitSource.url is required), date null.
const ARTICLE_PUBLISHER = 'ASEAN Wonk';

/** A sentence of the article; `context` when it describes something other than the summit's own outcome. */
const fromArticle = (quote: string, kind: SourceCitation['kind'] = 'summit'): SourceCitation => ({
  quote,
  kind,
  title: ARTICLE_TITLE,
  publisher: ARTICLE_PUBLISHER,
  date: null,
});

const KYODO_2023_12_17: Omit<SourceCitation, 'quote' | 'kind'> = {
  title: 'Japan, ASEAN to vow to widen cooperative fields as ties mark 50 years',
  publisher: 'Kyodo News',
  date: '2023-12-17',
  url: 'https://english.kyodonews.net/news/2023/12/f1d44823c854-japan-asean-to-vow-to-widen-cooperative-fields-as-ties-mark-50-years.html',
};

export const SUMMIT: SummitSeed = {
  slug: 'asean-japan-commemorative-summit-2023',
  name: 'ASEAN–Japan Commemorative Summit for the 50th Year of ASEAN–Japan Friendship and Cooperation',
  startDate: '2023-12-16',
  endDate: '2023-12-18',
  location: 'Tokyo, Japan',
  sources: [
    { title: ARTICLE_TITLE, url: '', publisher: ARTICLE_PUBLISHER, date: null },
    {
      title: 'The Commemorative Summit for the 50th Year of ASEAN-Japan Friendship and Cooperation',
      url: 'https://www.mofa.go.jp/a_o/rp/pagewe_000001_00006.html',
      publisher: 'Ministry of Foreign Affairs of Japan',
      date: '2023-12-11',
    },
    { title: KYODO_2023_12_17.title, url: KYODO_2023_12_17.url!, publisher: KYODO_2023_12_17.publisher, date: KYODO_2023_12_17.date },
    {
      title: 'The 26th ASEAN Japan Summit (Summary)',
      url: 'https://japan.kantei.go.jp/101_kishida/diplomatic/202309/06summit.html',
      publisher: 'Prime Minister of Japan and His Cabinet',
      date: '2023-09-06',
    },
  ],
};

const ASEAN_10 = ['BN', 'KH', 'ID', 'LA', 'MY', 'MM', 'PH', 'SG', 'TH', 'VN'];

const SENTENCE_UPGRADES =
  'Tokyo announced three relationship upgrades during the course of the summit from December 16-18 – Malaysia to a comprehensive strategic partnership; East Timor to a comprehensive partnership; and Brunei to a planned strategic partnership.';
const SENTENCE_SECURITY =
  'This included a coast guard agreement with the Philippines; new senior defense talks with Cambodia; as well as the provision of a large patrol vessel to Indonesia and early warning and surveillance equipment to Malaysia as Tokyo develops its new Official Security Assistance program.';
const SENTENCE_SUBTITLE =
  'From supply chains to outer space, new outcomes lay foundation for future partnership but also highlight challenges in a co-created vision by trusted partners.';

/**
 * A date as a source gives it — a day ('2025-06-20'), a month ('2025-05'), a quarter ('2027-Q1')
 * or a year ('2028') — as the seed stores it: the period's last day, with its precision.
 */
export function period(spec: string): { date: string; precision: DatePrecision } {
  const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(spec);
  if (m) return { date: spec, precision: 'day' };
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(spec);
  if (m) return { date: lastDayOfMonth(Number(m[1]), Number(m[2])), precision: 'month' };
  m = /^(\d{4})-Q([1-4])$/.exec(spec);
  if (m) return { date: lastDayOfMonth(Number(m[1]), Number(m[2]) * 3), precision: 'quarter' };
  m = /^(\d{4})$/.exec(spec);
  if (m) return { date: `${m[1]}-12-31`, precision: 'year' };
  throw new Error(`seed data: "${spec}" is not a day, month, quarter or year`);
}

/** A completed milestone dated by a named source; `when` is a day, month, quarter or year (see `period`). */
const done = (title: string, when: string, note: string, evidenceUrl?: string): MilestoneSeed => ({
  title,
  ...period(when),
  status: 'completed',
  dateBasis: 'sourced',
  note,
  ...(evidenceUrl ? { evidenceUrl } : {}),
});

/** An open milestone whose due date is a publisher's stated plan. */
const planned = (title: string, when: string, note: string, status: MilestoneStatus = 'not_started', evidenceUrl?: string): MilestoneSeed => ({
  title,
  ...period(when),
  status,
  dateBasis: 'planned',
  note,
  ...(evidenceUrl ? { evidenceUrl } : {}),
});

/** An open milestone whose due date is the editors' assumption; the note says why. */
const assumed = (title: string, when: string, note: string, status: MilestoneStatus = 'not_started'): MilestoneSeed => ({
  title,
  ...period(when),
  status,
  dateBasis: 'assumed',
  note: `Planning assumption: ${note}`,
});

/** The stored sources the editors read run to about the end of May 2026. */
const NOT_VERIFIED_AFTER = 'Not verified after May 2026: the stored sources run to about the end of May 2026.';

export const WORKSTREAMS: WorkstreamSeed[] = [
  {
    slug: 'asean-japan-comprehensive-strategic-partnership',
    title: 'ASEAN–Japan Comprehensive Strategic Partnership',
    summary:
      'ASEAN and Japan raised ties to a Comprehensive Strategic Partnership in September 2023; the Tokyo summit adopted the Joint Vision Statement ("Trusted Partners") and its Implementation Plan, and Japan pledged about USD 35 bn in public and private funds over five years. The 28th ASEAN–Japan Summit (October 2025) reported 108 of the Joint Vision\'s 130 action lines implemented. Timor-Leste attended as an observer and joined ASEAN as its 11th member on 26 October 2025. The 29th summit, due in Manila on 10–12 November 2026, falls after the stored sources end: its outcome has not been checked. Two areas the article names without a dated ASEAN-wide step of their own are tracked here: outer space (the JAXA – Malaysian Space Agency memorandum is under the Japan–Malaysia partnership) and maritime capacity-building (the vessel, coast-guard and OSA commitments are workstreams of their own).',
    countries: [...ASEAN_10, 'TL', 'JP'],
    sectors: ['diplomatic-relations', 'maritime-security', 'economic-security', 'trade-investment', 'space', 'connectivity'],
    instrument: 'partnership',
    stage: 'implementation',
    source: fromArticle('The summit adds detail to the roadmap for developing the new Japan-ASEAN comprehensive strategic partnership.'),
    watchTerms: ['Comprehensive Strategic Partnership', 'ASEAN-Japan Summit', 'Joint Vision Statement', 'Trusted Partners', 'Implementation Plan', 'action lines', 'JAIF', 'FOIP', 'AOIP'],
    review: {
      date: '2026-05-10',
      note: `Checked Kantei, MOFA Japan, Kyodo, VNA, Vietnam News and Manila Bulletin reports to 10 May 2026 (the 48th ASEAN Summit, Cebu, held scaled back on 8–9 May). The 29th ASEAN–Japan Summit (10–12 Nov 2026) falls after the stored sources end: its outcome is unchecked, not missing. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'Joint Statement on the Establishment of the ASEAN–Japan CSP adopted at the 26th ASEAN–Japan Summit, Jakarta',
        '2023-09-06',
        'Source: Kantei (Prime Minister of Japan), 6 Sep 2023.',
        'https://japan.kantei.go.jp/101_kishida/diplomatic/202309/06summit.html',
      ),
      done(
        'Joint Vision Statement ("Trusted Partners") and its Implementation Plan adopted, Tokyo',
        '2023-12-17',
        'Source: Philippine PCO; Viet Nam government portal, 18 Dec 2023; also Kyodo News, 17 Dec 2023.',
        KYODO_2023_12_17.url,
      ),
      done(
        'Japan pledges about USD 35 bn (¥4.9 tn) in public and private funds over five years',
        '2023-12-17',
        'Source: Yomiuri Shimbun, 17 Dec 2023; also Kyodo News, 17 Dec 2023. A pledge, not a disbursement.',
        KYODO_2023_12_17.url,
      ),
      done('Progress reviewed at the 27th ASEAN–Japan Summit, Vientiane', '2024-10-10', 'Source: Daily Tribune, 10 Oct 2024.'),
      done(
        'Timor-Leste joins ASEAN as its 11th member, Kuala Lumpur',
        '2025-10-26',
        'Source: Vietnam News, 26 Oct 2025; MOFA Japan.',
        'https://vietnamnews.vn/world/1728144/asean-summit-47-timor-leste-officially-becomes-asean-s-11th-member.html',
      ),
      done(
        '28th ASEAN–Japan Summit, Kuala Lumpur (Prime Minister Takaichi\'s first): statement on synergy between FOIP and the ASEAN Outlook on the Indo-Pacific adopted',
        '2025-10-26',
        'Source: MOFA Japan, 26 Oct 2025; Japan Today (Kyodo), 26 Oct 2025.',
        'https://japantoday.com/category/politics/update1-new-japan-pm-takaichi-makes-overseas-debut-with-in-person-asean-talks',
      ),
      planned(
        '29th ASEAN–Japan Summit at the 49th ASEAN Summit and related summits, Pasay (Manila)',
        '2026-11-12',
        'Planned: Vietnam News, 8 Jan 2026 gives 10–12 Nov 2026 for the 49th ASEAN Summit and related summits at the PICC, Pasay; due date is the last day. Under the Philippine national energy emergency the preparatory meetings were moved online and the 2026 summits described as "barebones" (Manila Bulletin, 27 Mar 2026); the 48th ASEAN Summit in Cebu (8–9 May 2026) was held as a scaled-back meeting (Manila Bulletin, 10 May 2026). The stored sources end before November 2026, so the outcome has not been checked.',
        'not_started',
        'https://vietnamnews.vn/world/1763434/philippines-pledges-to-promote-regional-peace-prosperity-during-asean-chairmanship.html',
      ),
      planned(
        'End of the five-year window for the USD 35 bn public and private mobilisation',
        '2028',
        'Planned: Kyodo News, 17 Dec 2023 ("over the next five years"); year precision (2028).',
        'in_progress',
      ),
      done(
        '28th ASEAN–Japan Summit reports 108 of the Joint Vision Statement\'s 130 action lines implemented; JAIF 3.0',
        '2025-10-26',
        'Source: VNA, 26 Oct 2025.',
      ),
    ],
  },
  {
    slug: 'japan-malaysia-comprehensive-strategic-partnership',
    title: 'Japan–Malaysia Comprehensive Strategic Partnership',
    summary:
      'Japan and Malaysia upgraded relations to a Comprehensive Strategic Partnership covering economic security and supply-chain resilience; JAXA and the Malaysian Space Agency signed a memorandum on space cooperation. Defence ties followed: a strategic dialogue (December 2024), the MALPAN naval exercise (February 2025) and a Maritime Self-Defense Force port call at Port Klang (April 2025). Coast-guard cooperation is genuinely slow: the Japan Coast Guard – MMEA cooperation document was substantially agreed in January 2025 and the two services exercised together in June 2025, but no signing has been found. In October 2025 the leaders welcomed a diving support vessel for Malaysia under OSA (tracked here, as a leaders\' outcome; the FY2023 OSA grant is its own workstream).',
    countries: ['MY', 'JP'],
    sectors: ['diplomatic-relations', 'economic-security', 'supply-chains', 'space', 'maritime-security'],
    instrument: 'partnership',
    stage: 'implementation',
    source: fromArticle(SENTENCE_UPGRADES),
    watchTerms: ['Comprehensive Strategic Partnership', 'MMEA', 'Malaysian Maritime Enforcement Agency', 'Japan Coast Guard', 'JAXA', 'Malaysian Space Agency', 'MALPAN', 'diving support vessel', 'Official Security Assistance'],
    review: {
      date: '2025-10-26',
      note: `Checked MOFA Japan, Yomiuri, Malay Mail, theSun, Bernama and Jiji reports; the newest is Jiji Press via adnkronos, 26 Oct 2025 (Takaichi–Anwar). Searched the stored sources (to about the end of May 2026) for a signing of the JCG–MMEA cooperation document: none found. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done('Joint statement on the Comprehensive Strategic Partnership (incl. economic security, supply-chain resilience)', '2023-12-16', 'Source: MOFA Japan; Malay Mail, 16 Dec 2023.'),
      done('JAXA – Malaysian Space Agency memorandum of cooperation on space development and application', '2023-12-16', 'Source: PMO Malaysia / Bernama, Dec 2023.'),
      done(
        'Follow-up leaders\' summit (Kishida–Anwar), Tokyo',
        '2024-05-23',
        'Source: MOFA Japan; Jiji Press via The Japan News, 24 May 2024.',
        'https://japannews.yomiuri.co.jp/politics/defense-security/20240524-187886/',
      ),
      done(
        'Japan Coast Guard – Malaysian Maritime Enforcement Agency cooperation document substantially agreed (Ishiba–Anwar, Putrajaya)',
        '2025-01-10',
        'Source: MOFA Japan summary, 10 Jan 2025; The Japan News (Yomiuri), 10 Jan 2025.',
        'https://japannews.yomiuri.co.jp/politics/politics-government/20250110-232399/',
      ),
      done(
        'Japan Coast Guard – MMEA joint exercise',
        '2025-06-23',
        'Source: theSun, 23 Jun 2025; Bernama, 23 Jun 2025 (a four-day exercise off Selangor with the JCG patrol vessel Mizuho). No signing of the JCG–MMEA cooperation document was reported.',
        'https://thesun.my/malaysia-news/mmea-japan-coast-guard-launch-joint-maritime-exercise-CF14335520',
      ),
      done(
        'Leaders welcome an agreement for a diving support vessel for Malaysia under OSA (Takaichi–Anwar)',
        '2025-10-26',
        'Source: Jiji Press via adnkronos, 26 Oct 2025.',
      ),
      assumed(
        'JCG–MMEA cooperation document signed',
        '2025-10-26',
        'the editors expected the signing by the leaders\' next meeting after the text was substantially agreed (10 Jan 2025); that meeting (Takaichi–Anwar, Kuala Lumpur, 26 Oct 2025; Jiji Press via adnkronos) reported none, and no signing was found in the stored sources to the end of May 2026. Unsigned since January 2025: genuinely slow. (Earlier seeds assumed 31 Dec 2026, a date nothing supported.)',
      ),
      done('Japan–Malaysia strategic dialogue started', '2024-12', 'Source: Malay Mail, 15 Apr 2025. Month precision (December 2024).'),
      done(
        'MALPAN: Japan Maritime Self-Defense Force – Royal Malaysian Navy bilateral exercise, Strait of Malacca',
        '2025-02',
        'Source: Malay Mail, 15 Apr 2025 (the Japanese ambassador\'s remarks). Month precision (February 2025).',
        'https://www.malaymail.com/news/malaysia/2025/04/15/japan-warships-dock-in-port-klang-as-tokyo-kl-ramp-up-defence-ties-video/173143',
      ),
      done(
        'Maritime Self-Defense Force ships JS Bungo and JS Etajima call at Port Klang (12–15 Apr 2025)',
        '2025-04-12',
        'Source: Malay Mail, 15 Apr 2025 (the port call ran 12–15 Apr; recorded on its first day).',
        'https://www.malaymail.com/news/malaysia/2025/04/15/japan-warships-dock-in-port-klang-as-tokyo-kl-ramp-up-defence-ties-video/173143',
      ),
    ],
  },
  {
    slug: 'japan-timor-leste-comprehensive-partnership',
    title: 'Japan–Timor-Leste Comprehensive Partnership for sustainable growth and development',
    summary:
      'Japan and Timor-Leste raised ties to a Comprehensive Partnership at the summit. Timor-Leste was named an Official Security Assistance recipient for FY2025 and the leaders agreed in August 2025 to implement its first OSA; no exchange of notes has been found.',
    countries: ['TL', 'JP'],
    sectors: ['diplomatic-relations', 'maritime-security', 'defense'],
    instrument: 'partnership',
    stage: 'implementation',
    source: fromArticle(SENTENCE_UPGRADES),
    watchTerms: ['Comprehensive Partnership', 'Official Security Assistance', 'OSA', 'East Timor', 'F-FDTL', 'Ramos-Horta'],
    review: {
      date: '2025-08-26',
      note: `Checked MOFA Japan, Kyodo and Jiji reports; the newest on Timor-Leste is MOFA Japan, 26 Aug 2025 (leaders agree to implement the first OSA). Searched the stored sources (to about the end of May 2026) for an OSA exchange of notes with Timor-Leste: none found. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done('Joint press statement (Kishida–Gusmão) on the Comprehensive Partnership', '2023-12-16', 'Source: MOFA Japan, 16 Dec 2023.'),
      done('Foreign ministers\' meeting citing the partnership', '2024-07-27', 'Source: MOFA Japan, 27 Jul 2024.'),
      done(
        'Timor-Leste on the FY2025 Official Security Assistance recipient list',
        '2025-06-20',
        'Source: Kyodo via Japan Today, 21 Jun 2025 (a government source, 20 Jun); Jiji Press, 27 Jun 2025. Replaces 27 Jun 2025, the date of the later Jiji report.',
        'https://japantoday.com/category/national/japan-to-provide-defense-equipment-to-thailand-7-other-nations',
      ),
      done('Leaders agree to implement the first OSA for Timor-Leste (Ishiba–Ramos-Horta)', '2025-08-26', 'Source: MOFA Japan, 26 Aug 2025.'),
      assumed(
        'First OSA exchange of notes for Timor-Leste',
        '2026-03-31',
        'FY2025 OSA grants are normally committed by notes exchanged within Japan\'s fiscal year, which ended 31 Mar 2026 (Jiji Press, 27 Jun 2025: documents with the FY2025 recipients to be signed "starting this autumn"); no exchange of notes for Timor-Leste was found in the stored sources, which run to about the end of May 2026.',
      ),
    ],
  },
  {
    slug: 'japan-brunei-strategic-partnership',
    title: 'Japan–Brunei Strategic Partnership',
    summary:
      'At the summit Japan and Brunei named 2024 the Japan–Brunei Exchange Year and asked officials to examine an upgrade; the upgrade to a Strategic Partnership was agreed on 11 March 2024. The tracked commitment (the upgrade) is fulfilled, so the stage is closed.',
    countries: ['BN', 'JP'],
    sectors: ['diplomatic-relations', 'energy-climate', 'maritime-security'],
    instrument: 'partnership',
    stage: 'closed',
    source: fromArticle(SENTENCE_UPGRADES),
    watchTerms: ['Strategic Partnership', 'Japan-Brunei Exchange Year', 'Al-Muhtadee Billah'],
    review: {
      date: '2024-03-12',
      note: `Checked MOFA Japan, Kyodo and Jiji Press (The Japan News, 12 Mar 2024). The tracked commitment, the upgrade, is fulfilled; no later development was found in the stored sources (to about the end of May 2026). ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'Joint press statement: 2024 named Japan–Brunei Exchange Year; officials to examine an upgrade to strategic partnership',
        '2023-12-16',
        'Source: MOFA Japan, 16 Dec 2023 (worldjpn record).',
      ),
      done(
        'Upgrade to Strategic Partnership agreed (Kishida – Crown Prince Al-Muhtadee Billah); notes exchanged, visa easing',
        '2024-03-11',
        'Source: MOFA Japan; Kyodo; Jiji Press via The Japan News, 12 Mar 2024.',
        'https://japannews.yomiuri.co.jp/politics/politics-government/20240312-174203/',
      ),
    ],
  },
  {
    slug: 'japan-viet-nam-comprehensive-strategic-partnership',
    title: 'Japan–Viet Nam Comprehensive Strategic Partnership for Peace and Prosperity in Asia and the World',
    summary:
      'Announced in Tokyo on 27 November 2023, a few weeks before the summit (so the article mentions it as context, not as a summit outcome). The vice-ministerial Strategic Partnership Dialogue met in December 2024, the first in five years; in April 2025 the leaders agreed to upgrade it to a vice-ministerial foreign and defence "2+2" consultation, which first met in Tokyo on 4 December 2025.',
    countries: ['VN', 'JP'],
    sectors: ['diplomatic-relations', 'defense', 'economic-security'],
    instrument: 'partnership',
    stage: 'implementation',
    source: fromArticle(
      'This adds to other advances, including the new Japan-Vietnam comprehensive strategic partnership announced just a few weeks earlier.',
      'context',
    ),
    watchTerms: ['Comprehensive Strategic Partnership', 'Strategic Partnership Dialogue', '2+2', 'vice-ministerial', 'Foreign and Defence Vice-Ministerial Consultation'],
    review: {
      date: '2026-03-07',
      note: `Checked Kantei, Yomiuri, Vietnam News and SGGP reports; the newest, SGGP, 7 Mar 2026 (Japan's vice foreign minister in Ho Chi Minh City), reports no second "2+2". ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done('Joint statement on the elevation to a Comprehensive Strategic Partnership (President Thuong\'s visit)', '2023-11-27', 'Source: Jiji Press / nippon.com, 27 Nov 2023.'),
      done(
        'Agreement to create a vice-ministerial foreign and defence "2+2" consultation (Ishiba in Hanoi)',
        '2025-04-28',
        'Source: Kantei, 28 Apr 2025; The Yomiuri Shimbun via Asia News Network, 29 Apr 2025.',
        'https://asianews.network/?p=200297',
      ),
      done(
        'First vice-ministerial foreign and defence "2+2" consultation, Tokyo',
        '2025-12-04',
        'Source: Vietnam News, 4 Dec 2025.',
        'https://vietnamnews.vn/politics-laws/1731168/viet-nam-japan-convene-first-foreign-and-defence-vice-ministerial-consultation.html',
      ),
      assumed(
        'Second vice-ministerial "2+2" consultation',
        '2027-12-31',
        'no second meeting, date or cadence has been announced, and nothing supports a yearly one (nothing found in the stored sources, which run to about the end of May 2026); the editors assume a second round by the end of 2027, two years after the first (4 Dec 2025).',
      ),
      done(
        'Japan–Viet Nam Strategic Partnership Dialogue (vice-ministers), Tokyo: the first in five years',
        '2024-12-12',
        'Source: The Yomiuri Shimbun, 13 Dec 2024; Vietnam News (the 8th dialogue, during a visit of 11–13 Dec 2024).',
        'https://japannews.yomiuri.co.jp/politics/defense-security/20241213-227595/',
      ),
    ],
  },
  {
    slug: 'official-security-assistance-viet-nam',
    title: 'Official Security Assistance for Viet Nam',
    summary:
      'The November 2023 joint statement committed both sides to discuss OSA; Japan offered eligibility in April 2025 and OSA was on the agenda of the first 2+2 in December 2025, but no signed OSA agreement has been found. Editorial judgement: stage pipeline (discussed, not agreed), not suspended, because talks continued through 2025.',
    countries: ['VN', 'JP'],
    sectors: ['defense', 'maritime-security'],
    instrument: 'osa',
    stage: 'pipeline',
    source: {
      quote:
        'The two countries on Monday adopted a joint statement and confirmed that they would deepen discussions on Official Security Assistance (OSA), a framework established by Japan, for the free provision of defense equipment and technology to Vietnam.',
      kind: 'context',
      title: 'Japan, Vietnam Confirm Talks on Providing Defense Equipment; Japan Aims to Utilize Official Security Assistance Framework',
      publisher: 'The Yomiuri Shimbun',
      date: '2023-11-28',
      url: 'https://japannews.yomiuri.co.jp/politics/defense-security/20231128-152365/',
    },
    watchTerms: ['Official Security Assistance', 'OSA', 'defense equipment', '2+2'],
    review: {
      date: '2025-12-27',
      note: `Checked Yomiuri, Jiji, Vietnam News, PSU Connect and Asahi reports; the newest, Asahi Shimbun, 27 Dec 2025, says OSA was on the agenda of Prime Minister Takaichi's October 2025 meeting with Viet Nam's leader. No signed OSA agreement with Viet Nam was found in the stored sources (to about the end of May 2026). ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'Joint statement: both sides to discuss OSA',
        '2023-11-27',
        'Source: Jiji Press / nippon.com, 27 Nov 2023; The Yomiuri Shimbun, 28 Nov 2023.',
        'https://japannews.yomiuri.co.jp/politics/defense-security/20231128-152365/',
      ),
      done(
        'Japan offers OSA eligibility; Prime Minister Chinh says Viet Nam will actively consider it',
        '2025-04-28',
        'Source: The Yomiuri Shimbun via Asia News Network, 29 Apr 2025.',
        'https://asianews.network/?p=200297',
      ),
      done(
        'OSA discussed at the first vice-ministerial "2+2" consultation, Tokyo',
        '2025-12-04',
        'Source: PSU Connect, 4 Dec 2025 (readout of the consultation).',
        'https://www.psuconnect.in/international-news/japan-viet-nam-hold-first-2-2-vice-ministerial-talks-in-tokyo-to-boost-security-cooperation',
      ),
      assumed(
        'First OSA exchange of notes for Viet Nam',
        '2027-03-31',
        'no agreement has been found (only a Yomiuri report of 15 Nov 2023 and the talks above); assumed within Japan\'s FY2026, which ends 31 Mar 2027 and whose OSA budget rose to ¥18.1 bn (approved by the Cabinet on 26 Dec 2025, The Japan Times; enacted by April 2026).',
      ),
    ],
  },
  {
    slug: 'japan-philippines-coast-guard-cooperation',
    title: 'Japan–Philippines coast guard cooperation',
    summary:
      'A memorandum of cooperation between the Japan Coast Guard and the Philippine Coast Guard was exchanged after the Kishida–Marcos meeting at the summit; in 2024 Japan lent ¥64.38 bn for five 97-metre multi-role response vessels of the Teresa Magbanua class, which the Philippine Coast Guard expects around 2027 to 2028. The loan is a separate ODA instrument (JICA, Maritime Safety Capability Improvement Project Phase III), folded into this workstream because the vessels are for the same coast guard. The two coast guards exercised with the US Coast Guard off Kagoshima in June 2025, and in May 2026 Japan and the Philippines raised their ties to a Comprehensive Strategic Partnership.',
    countries: ['PH', 'JP'],
    sectors: ['maritime-security'],
    instrument: 'agreement',
    stage: 'implementation',
    source: fromArticle(SENTENCE_SECURITY),
    watchTerms: ['Philippine Coast Guard', 'Japan Coast Guard', '97-metre', '97-meter', 'multi-role response vessel', 'MRRV', 'Teresa Magbanua', 'Maritime Safety Capability Improvement Project', 'JICA'],
    review: {
      date: '2026-05-30',
      note: `Checked MOFA Japan, JICA, Manila Shimbun, Naval News, The Diplomat and Manila Bulletin reports to 30 May 2026 (the end of Marcos's state visit to Japan). No report of a construction contract, launch or delivery of the five 97-metre ships was found. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done('Memorandum of cooperation Japan Coast Guard – Philippine Coast Guard exchanged', '2023-12-17', 'Source: MOFA Japan; Philstar, 18 Dec 2023.'),
      done(
        'Notes exchanged: ¥64.38 bn loan for five 97-m patrol ships (Maritime Safety Capability Improvement Project Phase III)',
        '2024-05-17',
        'Source: Rappler, May 2024; Daily Tribune, 18 May 2024.',
        'https://tribune.net.ph/2024/05/18/pcg-gets-5-japan-boats',
      ),
      done(
        'Loan agreement for the five 97-m patrol ships signed (JICA)',
        '2024-06-10',
        'Source: JICA press release, 11 Jun 2024. The date replaces 11 Jun 2024, the day Manila Shimbun reported the signing.',
        'https://www.jica.go.jp/english/information/press/2024/20240611_10.html',
      ),
      planned(
        'Five 97-m patrol ships delivered',
        '2028',
        'Planned: the Philippine Coast Guard\'s spokesman, Manila Shimbun, 16 May 2024: "We expect the arrival of the five 97-meter MRRVs to expand the Coast Guard Fleet around 2027 to 2028"; also Naval News, May 2024, and NEDA Secretary Balisacan via defence press (secondary). Year precision: the last ship is due by the end of 2028; no source dates the first ship.',
        'in_progress',
        'https://www.manila-shimbun.com/category/english/news276908.html',
      ),
      done(
        'Second Japan–US–Philippines coast guard exercise, off Kagoshima (BRP Teresa Magbanua takes part)',
        '2025-06-20',
        'Source: The Diplomat, Jun 2025; AP, 20 Jun 2025. The exercise ran 16–20 Jun 2025; recorded on its last day, the search-and-rescue drill.',
        'https://thediplomat.com/2025/06/philippines-japan-us-hold-second-round-of-joint-coast-guard-exercises/',
      ),
      done(
        'Japan–Philippines ties raised to a Comprehensive Strategic Partnership (Takaichi–Marcos, Tokyo, during Marcos\'s state visit of 26–29 May)',
        '2026-05-28',
        'Source: Manila Bulletin, 29 May 2026; Manila Bulletin, 30 May 2026.',
        'https://mb.com.ph/article/10920026/philippines/national/philippines-japan-elevate-ties-to-comprehensive-strategic-partnership',
      ),
    ],
  },
  {
    slug: 'japan-philippines-reciprocal-access-agreement',
    title: 'Japan–Philippines Reciprocal Access Agreement',
    summary:
      'Not itself a summit outcome: negotiations began in November 2023; the agreement, signed in July 2024, ratified by the Philippine President (November 2024) with the Senate\'s concurrence (December 2024) and approved by Japan\'s Diet (June 2025), entered into force on 11 September 2025 and was used in an October 2025 exercise and in the Cebu earthquake relief. Tracked beside the summit\'s Philippine coast-guard commitment. The tracked commitment, bringing the agreement into force, is fulfilled, so the stage is closed. The Acquisition and Cross-Servicing Agreement that complements it is a workstream of its own.',
    countries: ['PH', 'JP'],
    sectors: ['defense'],
    instrument: 'agreement',
    stage: 'closed',
    source: {
      quote:
        'The Japan-Philippines Reciprocal Access Agreement, which facilitates visits by their forces for joint exercises and disaster relief operations, took effect in September.',
      kind: 'context',
      title: 'New Japan PM Takaichi makes overseas debut with in-person ASEAN talks',
      publisher: 'Japan Today (Kyodo)',
      date: '2025-10-26',
      url: 'https://japantoday.com/category/politics/update1-new-japan-pm-takaichi-makes-overseas-debut-with-in-person-asean-talks',
    },
    watchTerms: ['Reciprocal Access Agreement', 'RAA', 'Self-Defense Forces', 'Armed Forces of the Philippines', 'Senate Resolution No. 1248'],
    review: {
      date: '2026-05-30',
      note: `Checked MOFA Japan, Manila Shimbun, Daily Tribune, Manila Bulletin, Japan Today and context.ph reports to 30 May 2026. The tracked commitment (entry into force) is fulfilled; later uses of the agreement are not tracked as milestones. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done('Reciprocal Access Agreement signed, Manila', '2024-07-08', 'Source: MOFA Japan, 8 Jul 2024.'),
      done(
        'Philippine Senate concurs in the ratification (Senate Resolution No. 1248, 19–0); the President had ratified it on 5 Nov 2024',
        '2024-12-16',
        'Source: Manila Shimbun, Dec 2024; Daily Tribune, 11 Sep 2025. Wording corrected: the President ratifies, the Senate concurs.',
        'https://www.manila-shimbun.com/category/english/news280692.html',
      ),
      done(
        'Approved by Japan\'s Diet (House of Councillors, the last step)',
        '2025-06-06',
        'Source: Daily Tribune, 11 Sep 2025; Manila Bulletin, 7 Jun 2025.',
        'https://mb.com.ph/2025/06/07/newly-ratified-ph-japan-military-access-pact-a-testament-to-friendshipembassy',
      ),
      done('Notes exchanged fixing the entry into force', '2025-08-12', 'Source: Manila Bulletin, 12 Aug 2025.'),
      done(
        'Entered into force',
        '2025-09-11',
        'Source: Manila Bulletin, 12 Aug 2025 (the date the notes fixed); Japan Today (Kyodo), 26 Oct 2025 confirms it took effect in September.',
      ),
      done(
        'First uses: an exercise and the Cebu earthquake relief',
        '2025-10',
        'Source: context.ph, 27 Oct 2025 (readout of the Takaichi–Marcos meeting: the RAA "was applied this month during a joint exercise and in transporting aid following the Cebu earthquake"). Month precision (October 2025).',
        'https://context.ph/?p=42427',
      ),
    ],
  },
  {
    slug: 'japan-philippines-acquisition-and-cross-servicing-agreement',
    title: 'Japan–Philippines Acquisition and Cross-Servicing Agreement (ACSA)',
    summary:
      'An agreement for the Self-Defense Forces and the Philippine military to exchange supplies and services (fuel, food, ammunition, transport, spare parts) in joint training and operations, complementing the Reciprocal Access Agreement; discussions began after the April 2025 Ishiba–Marcos meeting, it was agreed in principle by October 2025 (welcomed by Takaichi and Marcos on 26 October) and signed in Manila on 15 January 2026, Japan\'s first ACSA with an ASEAN member. It takes effect only after ratification, including the Diet\'s approval; no ratification step has been found. A workstream of its own rather than a milestone of the RAA: it is a separate treaty with its own signature, ratification and entry into force, still open, while the RAA is in force. The other Japan–Philippines defence step found, the transfer of six used Abukuma-class destroyer escorts agreed in principle in June 2025, is recorded here too; its 2026 status was not found.',
    countries: ['PH', 'JP'],
    sectors: ['defense'],
    instrument: 'agreement',
    stage: 'implementation',
    source: {
      quote:
        'Foreign Minister Toshimitsu Motegi and his counterpart Theresa Lazaro signed an Acquisition and Cross-Servicing Agreement (ACSA) at a foreign ministers’ meeting in Manila, marking Japan’s first such pact with a member state of the Association of Southeast Asian Nations.',
      kind: 'context',
      title: 'Japan, Philippines Agree on Logistics Pact to Boost Security Ties Amid China’s Increasing Maritime Presence',
      publisher: 'The Yomiuri Shimbun (The Japan News)',
      date: '2026-01-15',
      url: 'https://japannews.yomiuri.co.jp/politics/politics-government/20260115-304317',
    },
    watchTerms: ['Acquisition and Cross-Servicing Agreement', 'ACSA', 'logistics pact', 'Self-Defense Forces', 'Abukuma', 'destroyer escort'],
    review: {
      date: '2026-05-30',
      note: `Checked Jiji, Yomiuri, AP, Manila Bulletin and context.ph reports to 30 May 2026 (the end of Marcos's state visit to Japan): no report of the Diet's approval of the ACSA, of its entry into force, or of the Abukuma transfer's next step was found. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'ACSA agreed in principle; welcomed by Prime Minister Takaichi and President Marcos, Kuala Lumpur',
        '2025-10-26',
        'Source: context.ph, 27 Oct 2025 (readout of the 26 Oct meeting: "both leaders welcomed the agreement in principle"); GMA; Kyodo / Japan Today; embassy statement. Replaces an earlier month-precision record (October 2025, tbh.center).',
        'https://context.ph/?p=42427',
      ),
      done(
        'ACSA signed, Manila (Motegi–Lazaro)',
        '2026-01-15',
        'Source: Jiji Press via nippon.com, 15 Jan 2026; The Yomiuri Shimbun, 15 Jan 2026; Manila Bulletin, 15 Jan 2026; embassy reports (tbh.center). AP (via The New Indian Express, 15 Jan 2026): it has to be ratified by Japanese legislators before it takes effect.',
        'https://www.nippon.com/en/news/yjj2026011501066/japan-philippines-sign-mutual-logistics-support-pact.html',
      ),
      assumed(
        'ACSA enters into force (after ratification by both sides)',
        '2027-03-31',
        'the RAA took 14 months from signing (8 Jul 2024) to entry into force (11 Sep 2025); the same lead time from this signing (15 Jan 2026) gives about March 2027. No ratification step was found in the stored sources, which run to about the end of May 2026.',
      ),
      done(
        'Transfer of six used Abukuma-class destroyer escorts to the Philippines agreed in principle by the defence ministers (Singapore)',
        '2025-06',
        'Source: The Yomiuri Shimbun, 6 Jul 2025 (via Philstar, 6 Jul 2025); The Japan Times, 7 Jul 2025 (the Philippine Navy confirmed a planned joint inspection). Month precision (June 2025). A defence-equipment transfer, not part of the ACSA: recorded here as the Philippine defence workstream; its status in 2026 was not found.',
        'https://www.japantimes.co.jp/news/2025/07/07/japan/politics/japan-philippines-used-destroyers-china/',
      ),
    ],
  },
  {
    slug: 'official-security-assistance-philippines',
    title: 'Official Security Assistance for the Philippines',
    summary:
      'The Philippines was the first OSA recipient: coastal radars (FY2023, ¥600 m), radar-related equipment and rigid-hulled boats (FY2024, ¥1.6 bn) and boathouses and slipways, the first OSA infrastructure project (FY2025, ¥900 m). The five FY2023 coastal radars were handed over on 11 February 2026.',
    countries: ['PH', 'JP'],
    sectors: ['defense', 'maritime-security'],
    instrument: 'osa',
    stage: 'implementation',
    source: {
      quote:
        'One of these documents involved a ¥600-million grant from the Official Security Assistance (OSA), providing funding to the Philippine Navy (PN) to acquire a coastal radar system and enhance its “maritime domain awareness” (MDA) capability.',
      kind: 'context',
      title: 'From foes to friends',
      publisher: 'BusinessMirror',
      date: '2023-11-19',
      url: 'https://businessmirror.com.ph/2023/11/19/from-foes-to-friends/',
    },
    watchTerms: ['Official Security Assistance', 'OSA', 'coastal radar', 'rigid-hulled inflatable boats', 'boathouses', 'Philippine Navy'],
    review: {
      date: '2026-05-30',
      note: `Checked Manila Shimbun, BusinessWorld, Yomiuri, Manila Bulletin and SunStar reports to 30 May 2026: no report of the FY2024 equipment's handover or of FY2026 notes was found. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'FY2023 OSA notes exchanged (¥600 m, coastal radars for the Philippine Navy)',
        '2023-11-03',
        'Source: Manila Shimbun, 4 Nov 2023; BusinessMirror, 19 Nov 2023.',
        'https://businessmirror.com.ph/2023/11/19/from-foes-to-friends/',
      ),
      done(
        'FY2024 OSA notes exchanged (¥1.6 bn)',
        '2024-12-05',
        'Source: Manila Shimbun, 6 Dec 2024.',
        'https://www.manila-shimbun.com/category/english/news280490.html',
      ),
      done(
        'FY2025 OSA notes exchanged (¥900 m, boathouses and slipways for Navy rigid-hulled boats)',
        '2026-01-15',
        'Source: BusinessWorld, 15 Jan 2026.',
        'https://www.bworldonline.com/the-nation/2026/01/15/724594/manila-tokyo-ink-military-supply-deal/',
      ),
      done(
        'FY2023 coastal surveillance radars (five systems) handed over, Camp Aguinaldo',
        '2026-02-11',
        'Source: Manila Bulletin, 11 Feb 2026 (the handover ceremony "on Wednesday, Feb. 11"); SunStar (PNA), 12 Feb 2026. The radars had arrived in the country on 14 Jan 2026 (the Japanese embassy, via Inquirer).',
        'https://mb.com.ph/article/10905301/philippines/national/dnd-receives-five-coastal-radar-systems-from-japan',
      ),
      assumed(
        'FY2024 OSA equipment handed over',
        '2027-03-31',
        'the FY2023 radars took about 27 months from notes (3 Nov 2023) to handover (11 Feb 2026); the same lead time from the FY2024 notes (5 Dec 2024) gives about March 2027.',
      ),
    ],
  },
  {
    slug: 'japan-cambodia-senior-defence-dialogue',
    title: 'Japan–Cambodia senior defence dialogue',
    summary:
      'Kishida and Hun Manet agreed at the summit to launch a vice-defence-minister dialogue; its first meeting (Siem Reap, March 2024) rests on a single unconfirmed source. Japan\'s defence minister made a first bilateral visit in August 2024, when the two ministers agreed to exchange military attachés (one report said in 2025); no confirmation of that exchange has been found. In April 2025 Japanese naval ships made the first foreign port call at the renovated Ream base, and at a Tokyo summit in May 2025 Hun Manet called defence cooperation "more dynamic and closer" and Japan said it would consider OSA for Cambodia.',
    countries: ['KH', 'JP'],
    sectors: ['defense'],
    instrument: 'dialogue',
    stage: 'implementation',
    source: fromArticle(SENTENCE_SECURITY),
    watchTerms: ['vice-ministerial defence dialogue', 'Ream', 'military attachés', 'Maritime Self-Defense Force', 'Ground Self-Defense Force', 'Official Security Assistance'],
    review: {
      date: '2025-12-27',
      note: `Checked MOFA Japan, Kyodo, j-defense, Jiji, Fresh News and Asahi reports; the newest, Asahi Shimbun, 27 Dec 2025, says OSA was on the agenda of Prime Minister Takaichi's October 2025 meeting with Cambodia's leader. No second source for the first vice-ministerial dialogue and no confirmation of the attaché exchange were found in the stored sources (to about the end of May 2026). ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done('Kishida–Hun Manet agree to launch a vice-defence-minister dialogue (seven documents exchanged)', '2023-12-18', 'Source: MOFA Japan; Kyodo, 18 Dec 2023.'),
      done(
        'First vice-ministerial defence dialogue, Siem Reap (unconfirmed: a single source)',
        '2024-03-01',
        'Source: a blog citing Japan\'s Ministry of Defense: a single, unconfirmed source; no other report was found in the stored sources (to about the end of May 2026).',
      ),
      done('First bilateral visit by Japan\'s defence minister (Kihara) to Cambodia', '2024-08-05', 'Source: j-defense, 7 Aug 2024.'),
      done(
        'First foreign port call at the renovated Ream naval base, by Japanese naval ships',
        '2025-04-19',
        'Source: nippon.com / Jiji Press, 19 Apr 2025.',
        'https://www.nippon.com/en/news/yjj2025041900222/msdf-ships-make-port-call-at-china-linked-cambodian-naval-base.html',
      ),
      assumed(
        'Exchange of military attachés',
        '2025',
        'the defence ministers agreed on 5 Aug 2024 to exchange military attachés (Cambodian Defence Ministry statement, via AP and Devdiscourse); one report (Poste Khmer, 8 Aug 2024) said the exchange was planned for 2025. Neither government announced a date and no confirmation was found in the stored sources (to about the end of May 2026), so 2025 (year precision) is the editors\' reading of that report, not an announced date.',
      ),
      done(
        'Hun Manet–Ishiba summit, Tokyo: defence cooperation "becoming more dynamic and closer"; Japan to consider OSA for Cambodia',
        '2025-05-30',
        'Source: Fresh News, 31 May 2025 (the joint press conference); Jiji Press, 30 May 2025 (Japan will consider providing equipment under the OSA framework). Fresh News also reports a visit by the Ground Self-Defense Force chief of staff in June 2025.',
        'https://en.freshnewsasia.com/index.php/en/60613-2025-05-31-00-32-31.html',
      ),
    ],
  },
  {
    slug: 'patrol-vessel-indonesia-bakamla',
    title: 'Large patrol vessel for Indonesia (Bakamla)',
    summary:
      'Grant aid "Project for Enhancement of Ability in Maritime Safety and Security", up to ¥9.053 bn, for one new 85.6-m offshore patrol vessel for Bakamla, Indonesia\'s maritime security agency (Badan Keamanan Laut), built in Japan (build contract: Japan Marine Science / Mitsubishi Shipbuilding). Grant aid (ODA), not OSA. A multi-year build: the builder\'s schedule (January 2025) has it completed and delivered in March 2028; Bakamla\'s chief said in January 2026 that it arrives in 2027, with crews trained in Japan.',
    countries: ['ID', 'JP'],
    sectors: ['maritime-security'],
    instrument: 'oda',
    stage: 'implementation',
    source: fromArticle(SENTENCE_SECURITY),
    watchTerms: ['Bakamla', 'Indonesian Coast Guard', 'offshore patrol vessel', 'Mitsubishi Shipbuilding', 'Japan Marine Science', 'JICA', 'Japan Coast Guard', 'Enhancement of Ability in Maritime Safety and Security'],
    review: {
      date: '2026-02-19',
      note: `Checked Antara, MarineLink, Asian Military Review and Bakamla's statements (via benuanta.co.id and noa.co.id); the newest is Bakamla's press release of 19 Feb 2026 (crew training hoped for in 2026). No report of the ship's launch or delivery was found in the stored sources (to about the end of May 2026). ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'Exchange of notes (Kamikawa–Retno), up to ¥9.053 bn',
        '2023-12-16',
        'Source: MOFA Japan text via Military Leak, 19 Dec 2023 (secondary).',
        'https://militaryleak.com/2023/12/19/japan-extends-maritime-security-aid-to-indonesian-coast-guard',
      ),
      done('Grant agreement', '2024-03-22', 'Source: Antara, Mar 2024.'),
      done('Build contract (Japan Marine Science / Mitsubishi Shipbuilding; 85.6 m, 22 kn, 70 crew)', '2024-12-27', 'Source: Antara, Dec 2024.'),
      done(
        'Build contract announced by the builder (Mitsubishi Shipbuilding)',
        '2025-01-30',
        'Source: MarineLink, 30 Jan 2025.',
        'https://www.marinelink.com/news/mitsubishi-build-offshore-patrol-vessel-521679',
      ),
      planned(
        'Vessel completed and delivered to Bakamla',
        '2028-03',
        'Planned: the builder\'s schedule, Mitsubishi Shipbuilding via MarineLink, 30 Jan 2025; Asian Military Review, Feb 2025. Month precision (March 2028); replaces "2027" (Antara). Bakamla\'s chief said on 7 Jan 2026 that the ship arrives in 2027 (below); the builder\'s own date is kept.',
        'in_progress',
        'https://asianmilitaryreview.com/2025/02/mhi-contracted-for-indonesian-opv-construction',
      ),
      done(
        'Bakamla\'s chief: the new ship arrives in 2027; its crews will train in Japan and sail it to Indonesia',
        '2026-01-07',
        'Source: Antara via benuanta.co.id, 7 Jan 2026 (Vice Admiral Irvansyah at Bakamla\'s 20th anniversary). A statement, not a delivery: the builder\'s March 2028 date above is kept. A Bakamla press release of 19 Feb 2026 (via noa.co.id) hopes crew training starts in 2026 and gives 2027 as the build target.',
        'https://benuanta.co.id/index.php/2026/01/07/bakamla-pastikan-terima-kapal-patroli-baru-dari-jepang-pada-2027/191648/14/39/55',
      ),
    ],
  },
  {
    slug: 'official-security-assistance-malaysia',
    title: 'OSA for Malaysia: monitoring and surveillance equipment',
    summary:
      'Japan\'s ¥400 m Official Security Assistance grant (FY2023) to the Malaysian Armed Forces for monitoring and surveillance: deliveries of its UAVs began in September 2025 (several received, the rest on the way) and 7 rescue boats were received in October 2025; two road-cleaning lorries were still at tender in September 2025. The diving support vessel welcomed under OSA in October 2025 is tracked under the Japan–Malaysia partnership.',
    countries: ['MY', 'JP'],
    sectors: ['defense', 'maritime-security'],
    instrument: 'osa',
    stage: 'implementation',
    source: fromArticle(SENTENCE_SECURITY),
    watchTerms: ['Official Security Assistance', 'OSA', 'Malaysian Armed Forces', 'UAV', 'drones', 'rescue boats', 'road-cleaning lorries'],
    review: {
      date: '2025-10-01',
      note: `Checked MOFA Japan, The Star, theSun and Bernama reports; the newest is theSun, 1 Oct 2025. No report of the remaining UAVs or the lorries being delivered was found in the stored sources (to about the end of May 2026). ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done('Malaysian Cabinet accepts the grant', '2023-12-01', 'Source: theSun, 1 Oct 2025.'),
      done(
        'OSA exchange of notes, ¥400 m (Kamikawa – Mohamad Hasan)',
        '2023-12-16',
        'Source: MOFA Japan, 16 Dec 2023.',
        'https://www.mofa.go.jp/fp/nsp/pageite_000001_00050.html',
      ),
      done(
        '12 Malaysian Armed Forces officers complete drone training in Japan',
        '2025-05',
        'Source: The Star, 23 Sep 2025. Month precision (May 2025).',
        'https://www.thestar.com.my/news/nation/2025/09/23/japan-donates-aerial-dronesrescue-boats',
      ),
      done(
        'UAV deliveries began: several units received, the remainder on the way',
        '2025-09-22',
        'Source: The Star; theSun, Sep 2025 (corrects an earlier reading of Bernama, 22 Sep 2025, as "14 UAVs handed over").',
        'https://www.thestar.com.my/news/nation/2025/09/23/japan-donates-aerial-dronesrescue-boats',
      ),
      done('7 rescue boats received by the air force', '2025-10-01', 'Source: theSun, 1 Oct 2025.'),
      assumed(
        'Remaining equipment delivered: the rest of the UAVs and two road-cleaning lorries',
        '2026-12-31',
        'the remaining UAVs were on the way and the lorries at the tender stage in September 2025 (The Star; Bernama, 22 Sep 2025); delivery of both is assumed by 31 Dec 2026.',
        'in_progress',
      ),
    ],
  },
  {
    slug: 'official-security-assistance-programme',
    title: 'Japan\'s Official Security Assistance programme',
    summary:
      'Japan\'s grant framework for the armed forces of like-minded countries, launched in April 2023: about ¥2 bn in FY2023, ¥5 bn in FY2024, ¥8.1 bn in FY2025 for eight countries (Thailand, the Philippines, Sri Lanka, Malaysia, Indonesia, Papua New Guinea, Timor-Leste and Tonga) and ¥18.1 bn for FY2026, approved by the Cabinet on 26 December 2025 and, after a snap election delayed the budget, enacted by mid-April 2026 at the latest. The FY2026 recipient list (10 to 12 countries reported) was not found. Country grants with their own steps are tracked as their own workstreams; Indonesia\'s patrol boats are tracked here.',
    countries: ['JP', 'PH', 'ID', 'MY', 'TH', 'TL'],
    sectors: ['defense', 'maritime-security'],
    instrument: 'osa',
    stage: 'implementation',
    source: fromArticle(SENTENCE_SECURITY),
    watchTerms: ['Official Security Assistance', 'OSA', 'security assistance', 'like-minded countries', 'fiscal 2026 budget', 'recipient countries'],
    review: {
      date: '2026-03-13',
      note: `Checked The Japan Times, Jiji Press, Kyodo, Yomiuri, Asahi and Indonesian reports; the newest is Jiji Press / Yomiuri, 13 Mar 2026: the FY2026 budget cleared the House of Representatives, so it took effect by 12 Apr 2026 at the latest. Searched the stored sources (to about the end of May 2026) for the exact enactment date and the FY2026 recipient list: neither found. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done('OSA guidelines unveiled; FY2023 budget about ¥2 bn', '2023-04-05', 'Source: The Japan Times, 5 Apr 2023.'),
      done(
        'FY2024 OSA recipients reported: about ¥5 bn for the Philippines, Indonesia, Mongolia and Djibouti',
        '2024-11-30',
        'Source: The Star / Kyodo, 1 Dec 2024 (replaces an undated NHK report, recorded earlier as the end of 2024).',
      ),
      done('First OSA for Indonesia (high-speed patrol boats) agreed', '2025-01-11', 'Source: The Star, 12 Jan 2025.'),
      done(
        'FY2025 OSA recipients named: ¥8.1 bn for Thailand, the Philippines, Sri Lanka, Malaysia, Indonesia, Papua New Guinea, Timor-Leste and Tonga',
        '2025-06-20',
        'Source: Kyodo via Japan Today, 21 Jun 2025 (a government source, 20 Jun); Jiji Press, 27 Jun 2025. Replaces 27 Jun 2025, the date of the later Jiji report.',
        'https://japantoday.com/category/national/japan-to-provide-defense-equipment-to-thailand-7-other-nations',
      ),
      done(
        'FY2026 budget: ¥18.1 bn for OSA approved by the Cabinet',
        '2025-12-26',
        'Source: The Japan Times, 26 Dec 2025 (the Cabinet approved it "on Friday"); Jiji Press, 24 Dec 2025 previewed it. Replaces 24 Dec 2025, the preview\'s date. A proposal to the Diet, not yet an appropriation.',
      ),
      done(
        'Snap election delays the FY2026 budget; a stopgap budget is needed',
        '2026-01-19',
        'Source: Jiji Press via adnkronos, 19 Jan 2026; Asahi Shimbun. Reports of the number of FY2026 recipients conflict: 10 (Jiji), at least 12 (The Japan Times).',
        'https://english.adnkronos.com/2026/01/19/japan-lower-house-dissolution-to-delay-budget-passage',
      ),
      done(
        'Indonesian House Commission I accepts a further ¥1.9 bn OSA patrol-boat grant',
        '2026-02-10',
        'Source: Indonesian Post, 10 Feb 2026. Indonesia\'s Deputy Defence Minister Donny Ermawan (10 Feb 2026): FY2024 brought about ¥1 bn for two boats; descriptions of the FY2025 ¥1.9 bn boats conflict ("18 m class" against "14 m, 3–4 boats"; rmol.id).',
        'https://indonesianpost.com/2026/02/10/indonesia-dpr-commission-i-accept-japan-osa-patrol-vessel-grant-1-9-billion-yen',
      ),
      done(
        'Indonesia\'s parliament approves the ¥1.9 bn OSA patrol-boat grant in plenary',
        '2026-02-19',
        'Source: rmol.id, 19 Feb 2026.',
        'https://rmol.id/politik/read/2026/02/19/697916/dpr-setujui-tni-al-dapat-hibah-kapal-patroli-jepang-1-9-miliar-yen',
      ),
      done(
        'FY2026 budget, with its ¥18.1 bn OSA appropriation, enacted',
        '2026-04',
        'Source: the budget cleared the House of Representatives on 13 Mar 2026 (Jiji Press / nippon.com; The Yomiuri Shimbun) and the Constitution enacts a budget 30 days after lower-house approval when the chambers differ (art. 60; Kyodo / Japan Today, 24 Feb 2026): enacted by 12 Apr 2026 at the latest. The exact date was not found; recorded at month precision (April 2026) as the editors\' reading: if the upper house passed it in March, the true date is earlier. Replaces the editors\' earlier assumption (31 Mar 2026).',
        'https://japantoday.com/category/politics/japan-pm-takaichi-aims-for-diet-enactment-of-fy-2026-budget-in-march',
      ),
      assumed(
        'FY2026 OSA (¥18.1 bn, 10–12 countries reported) committed: recipients named and notes exchanged',
        '2027-03-31',
        'OSA grants are committed within the Japanese fiscal year; FY2026 ends 31 Mar 2027. Reports of the number of recipients conflict (10, Jiji Press, 24 Dec 2025; at least 12, The Japan Times, 26 Dec 2025); no recipient list was found in the stored sources, which run to about the end of May 2026.',
      ),
      done(
        'FY2026 budget clears the House of Representatives',
        '2026-03-13',
        'Source: Jiji Press / nippon.com, 13 Mar 2026 (the Budget Committee approved the bill, clearing the way for the plenary vote that day); The Yomiuri Shimbun, 13 Mar 2026. Under the Constitution (art. 60) it takes effect within 30 days even without the upper house.',
        'https://www.nippon.com/en/news/yjj2026031300179/lower-house-panel-approves-fy-2026-budget-bill.html',
      ),
    ],
  },
  {
    slug: 'asean-japan-economic-co-creation-supply-chains',
    title: 'ASEAN–Japan economic co-creation and supply chains',
    summary:
      'The ASEAN–Japan Economic Co-Creation Vision and its Future Design and Action Plan, agreed by economic ministers in August 2023 and showcased at the Economic Co-Creation Forum on the summit\'s first day; the summit\'s joint vision statement pledges stronger supply chains. No dated follow-up step has been found.',
    countries: [...ASEAN_10, 'JP'],
    sectors: ['supply-chains', 'economic-security', 'trade-investment', 'digital'],
    instrument: 'initiative',
    stage: 'implementation',
    source: fromArticle(SENTENCE_SUBTITLE),
    watchTerms: ['Economic Co-Creation Vision', 'Future Design and Action Plan', 'AEM-METI', 'Economic Co-Creation Forum', 'supply chains'],
    review: {
      date: '2023-12-17',
      note: `Checked METI's releases of 22 Aug and 17 Dec 2023. Searched the stored sources (to about the end of May 2026) for a later AEM–METI review of the action plan: none found. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'ASEAN–Japan Economic Co-Creation Vision and Future Design and Action Plan agreed (AEM–METI consultations)',
        '2023-08-22',
        'Source: METI, 22 Aug 2023.',
        'https://www.meti.go.jp/english/press/2023/0822_004.html',
      ),
      done(
        'ASEAN–Japan Economic Co-Creation Forum, Tokyo',
        '2023-12-16',
        'Source: METI, 17 Dec 2023.',
        'https://www.meti.go.jp/english/press/2023/1217_002.html',
      ),
    ],
  },
  {
    slug: 'asia-zero-emission-community',
    title: 'Asia Zero Emission Community (AZEC)',
    summary:
      'Japan\'s decarbonisation platform with Australia and nine ASEAN members, an ongoing initiative on a yearly cycle: its first leaders\' meeting was held in Tokyo on the summit\'s last day; the second ministerial meeting (Jakarta, August 2024) opened the Asia Zero Emission Center at ERIA; leaders adopted a 10-year action plan in Vientiane in October 2024; the third ministerial meeting (Kuala Lumpur, October 2025), where Japan and the Philippines signed an energy memorandum, preceded the third leaders\' meeting there. An AZEC Plus online summit met in April 2026. A fourth leaders\' meeting is the editors\' assumption (none was announced) for the Manila summits of November 2026, after the stored sources end. Australia is a member but not a country in this tracker.',
    countries: ['JP', 'BN', 'KH', 'ID', 'LA', 'MY', 'PH', 'SG', 'TH', 'VN'],
    sectors: ['energy-climate'],
    instrument: 'initiative',
    stage: 'implementation',
    source: {
      ...KYODO_2023_12_17,
      quote:
        'Among other new efforts to further boost the economy in the fast-growing region is supporting digital startups, as well as accelerating public and private investment to achieve decarbonization, the statement showed.',
      kind: 'context',
    },
    watchTerms: ['AZEC', 'Asia Zero Emission Community', 'Asia Zero Emission Center', 'ERIA', 'AZEC Leaders Meeting', 'AZEC Ministerial Meeting', 'Action Plan for the Coming Decade'],
    review: {
      date: '2026-05-03',
      note: `Checked MOFA Japan, Yomiuri, Jiji, Vietnam News, Power Philippines, context.ph and Manila Bulletin reports to 3 May 2026 (Kishida, as AZEC Supreme Adviser, meets Marcos). No date for a 2026 AZEC leaders' or ministerial meeting was found. ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'First AZEC Leaders Meeting, Tokyo; joint statement adopted',
        '2023-12-18',
        'Source: MOFA Japan, 18 Dec 2023.',
        'https://www.mofa.go.jp/p_pd/ipr/pageite_000001_00071.html',
      ),
      done(
        'Second AZEC Ministerial Meeting, Jakarta; joint statement on cooperation in power, transport and industry',
        '2024-08-21',
        'Source: The Yomiuri Shimbun, 22 Aug 2024; Nhân Dân (the second ministerial meeting, Jakarta). Wording corrected: the second ministerial meeting, not the first.',
        'https://japannews.yomiuri.co.jp/politics/politics-government/20240822-206597',
      ),
      done(
        'Asia Zero Emission Center launched at ERIA, Jakarta',
        '2024-08-21',
        'Source: Yomiuri Shimbun, 22 Aug 2024.',
        'https://japannews.yomiuri.co.jp/politics/politics-government/20240822-206597',
      ),
      done(
        'Second AZEC Leaders Meeting, Vientiane; 10-year action plan adopted',
        '2024-10-11',
        'Source: nippon.com / Jiji Press, 11 Oct 2024 (replaces a preview in the Daily Tribune, 10 Oct 2024, recorded earlier as October 2024).',
      ),
      done(
        'Third AZEC Ministerial Meeting, Kuala Lumpur; Japan–Philippines memorandum of cooperation on comprehensive energy cooperation signed',
        '2025-10-17',
        'Source: Power Philippines, 22 Oct 2025 (the memorandum signed on 17 Oct); Vietnam News, 26 Oct 2025 (the leaders welcomed the meeting\'s outcomes); context.ph, 27 Oct 2025.',
        'https://powerphilippines.com/philippines-and-japan-sign-moc-to-strengthen-energy-partnership',
      ),
      done(
        'Third AZEC Leaders Meeting, Kuala Lumpur; joint statement adopted',
        '2025-10-26',
        'Source: Vietnam News, 26 Oct 2025.',
        'https://vietnamnews.vn/environment/1728176/pm-chinh-attends-asia-zero-emission-community-leaders-meeting.html',
      ),
      done(
        'Kishida, as AZEC "Supreme Adviser", meets President Marcos',
        '2026-04-30',
        'Source: Manila Bulletin, 3 May 2026.',
        'https://mb.com.ph/2026/05/03/marcos-urged-to-prioritize-japan-led-azec',
      ),
      done(
        'AZEC Plus online summit on the energy crisis (President Marcos speaks)',
        '2026-04-15',
        'Source: Manila Bulletin, 15 Apr 2026.',
        'https://mb.com.ph/2026/04/15/marcos-pushes-unified-asia-response-to-energy-crisis',
      ),
      assumed(
        'Fourth AZEC Leaders Meeting',
        '2026-11-12',
        'AZEC leaders met alongside the ASEAN-related summits in 2024 (Vientiane, 11 Oct) and 2025 (Kuala Lumpur, 26 Oct); the 2026 ASEAN-related summits are due in Pasay (Manila) on 10–12 Nov 2026 (Vietnam News, 8 Jan 2026), so a fourth meeting is assumed by their last day. No date was announced; the 2026 summits were cut back under the Philippine energy emergency (Manila Bulletin, 27 Mar 2026); the stored sources end before November 2026, so whether it was held is unchecked.',
      ),
    ],
  },
  {
    slug: 'asean-japan-people-to-people-exchange',
    title: 'ASEAN–Japan people-to-people exchange (WA Project 2.0)',
    summary:
      'The Japan Foundation\'s ten-year "WA Project 2.0" (NIHONGO Partners and two-way intellectual and cultural exchange), announced at the summit and launched in October 2024, meant to reach over 10 million people, and a reported ¥40 bn for people-to-people, cultural and educational exchange plus ¥15 bn for research exchange.',
    countries: [...ASEAN_10, 'JP'],
    sectors: ['people-to-people'],
    instrument: 'initiative',
    stage: 'implementation',
    source: {
      ...KYODO_2023_12_17,
      quote:
        'In a "joint vision statement" issued after the gathering in Tokyo, the leaders pledged to step up cooperation on maritime security, strengthen supply chains, promote sustainable energy practices and expand people-to-people exchanges in various sectors.',
      kind: 'context',
    },
    watchTerms: ['WA Project 2.0', 'Japan Foundation', 'NIHONGO Partners', 'Two-way Intellectual and Cultural Exchange', 'people-to-people exchange'],
    review: {
      date: '2024-10-03',
      note: `Checked the Japan Foundation's and MOFA Japan's pages; the newest dated one is the Japan Foundation's launch announcement of 3 Oct 2024 (an undated Japan Foundation Kuala Lumpur page also lists an exchange programme for ASEAN educators in Oct–Nov 2025). No report of spending against the ¥40 bn and ¥15 bn pledges was found in the stored sources (to about the end of May 2026). ${NOT_VERIFIED_AFTER}`,
    },
    milestones: [
      done(
        'Japan Foundation "WA Project 2.0" announced (10 years, over 10 million people)',
        '2023-12-17',
        'Source: Japan Foundation; MOFA Japan, 17 Dec 2023.',
        'https://www.mofa.go.jp/p_pd/ca_opr/pageite_000001_00061.html',
      ),
      done(
        '¥40 bn pledged for people-to-people, cultural and educational exchange, plus ¥15 bn for research exchange',
        '2023-12',
        'Source: secondary report. Month precision (December 2023). A pledge, not a disbursement.',
      ),
      planned(
        'WA Project 2.0 ten-year period ends',
        '2033',
        'Planned: Japan Foundation, 3 Oct 2024 (exchange programmes "over a ten-year period from 2024"); year precision (2033).',
        'in_progress',
        'https://www.jpf.go.jp/e/about/press/2024/025.html',
      ),
      done(
        'Japan Foundation launches the WA Project 2.0 programmes (NIHONGO Partners; Two-Way Intellectual and Cultural Exchange)',
        '2024-10-03',
        'Source: Japan Foundation announcement, 3 Oct 2024.',
        'https://www.jpf.go.jp/e/about/press/2024/025.html',
      ),
    ],
  },
];

/**
 * Workstreams an earlier seed created and this one folds into another: theme workstreams with no
 * dated, sourced step of their own. The seed archives them (if still seed-owned) so that a database
 * seeded before keeps their rows and history but no longer shows them.
 */
export const FOLDED_WORKSTREAMS: { slug: string; into: string }[] = [
  // Outer space: no dated ASEAN-wide step found; the JAXA – Malaysian Space Agency memorandum is a
  // milestone of the Japan–Malaysia partnership.
  { slug: 'asean-japan-space-cooperation', into: 'asean-japan-comprehensive-strategic-partnership' },
  // Maritime capacity-building: no dated ASEAN-wide step found; its bilateral commitments (vessels,
  // coast guards, OSA grants) are workstreams of their own.
  { slug: 'asean-japan-maritime-capacity-building', into: 'asean-japan-comprehensive-strategic-partnership' },
];
