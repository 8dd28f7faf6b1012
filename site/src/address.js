import { h } from './dom.js';
import { field } from './form.js';
import { ADDRESS_KEY } from './session.js';

// ISO 3166-1 alpha-2 codes (officially assigned), what the service accepts;
// the names come from the browser (Intl.DisplayNames) in the shopper's language.
const CODES = ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
  'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
  'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
  'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' ');

function countryOptions() {
  let names = null;
  try {
    names = new Intl.DisplayNames([navigator.language || 'en'], { type: 'region' });
  } catch {
    names = null;
  }
  const opts = CODES.map((c) => [c, (names && names.of(c)) || c]).sort((a, b) => a[1].localeCompare(b[1]));
  return [h('option', { value: '' }, 'Choose a country'), opts.map(([c, n]) => h('option', { value: c }, n))];
}


// addressFields builds the form's fields, in the order of the API's
// shipping_address, prefilled from the last order in this browser.
export function addressFields() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(ADDRESS_KEY) || '{}') || {};
  } catch {
    saved = {};
  }
  const fs = [
    field('name', 'Full name', { autocomplete: 'shipping name', required: true, maxlength: 200 }),
    field('line1', 'Address', { autocomplete: 'shipping address-line1', required: true, maxlength: 200 }),
    field('line2', 'Apartment, suite (optional)', { autocomplete: 'shipping address-line2', maxlength: 200 }),
    field('city', 'City', { autocomplete: 'shipping address-level2', required: true, maxlength: 100 }),
    field('region', 'State or region (optional)', { autocomplete: 'shipping address-level1', maxlength: 100 }),
    field('postal_code', 'Postal code', { autocomplete: 'shipping postal-code', required: true, maxlength: 20 }),
    field('country', 'Country', { tag: 'select', autocomplete: 'shipping country', required: true, children: countryOptions() }),
  ];
  for (const f of fs) if (typeof saved[f.id] === 'string') f.input.value = saved[f.id];
  return fs;
}

export function addressValue(fields) {
  return Object.fromEntries(fields.map((f) => [f.id, f.input.value.trim()]));
}

export function remember(addr) {
  try {
    localStorage.setItem(ADDRESS_KEY, JSON.stringify(addr));
  } catch {
    // Not remembered; the next checkout asks again.
  }
}

// formatAddress gives the lines of an address as the shopper typed it.
export function formatAddress(a) {
  if (!a) return [];
  let country = a.country;
  try {
    country = new Intl.DisplayNames([navigator.language || 'en'], { type: 'region' }).of(a.country) || a.country;
  } catch {
    // The code is still readable.
  }
  return [a.name, a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '), a.region, country].filter(Boolean);
}
