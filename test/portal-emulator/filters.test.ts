import { describe, expect, it } from "vitest";
import { createTestEngine } from "./render-helper";

const { render } = createTestEngine();
const people = [
  { name: "Cleo", city: "Paris", age: 30 },
  { name: "Ana", city: "Lyon", age: 25 },
  { name: "Bea", city: "Paris", age: 25 },
];
const jan5 = new Date(Date.UTC(2026, 0, 5, 14, 7, 9));

// One row per Power Pages filter: template, scope, expected output.
const cases: Array<[string, string, object, string]> = [
  // arrays
  [
    "batch",
    "{% assign b = list | batch: 2 %}{{ b.size }}:{{ b[1] | join: ',' }}",
    { list: [1, 2, 3] },
    "2:3",
  ],
  ["concat", "{{ a | concat: b | join: ',' }}", { a: [1], b: [2, 3] }, "1,2,3"],
  ["except", "{{ people | except: 'city', 'Paris' | select: 'name' | join: ',' }}", { people }, "Ana"],
  ["first", "{% assign p = people | first %}{{ p.name }}", { people }, "Cleo"],
  [
    "group_by",
    "{% assign groups = people | group_by: 'city' %}{% for g in groups %}{{ g.key }}={{ g.items.size }};{% endfor %}",
    { people },
    "Paris=2;Lyon=1;",
  ],
  ["join", "{{ list | join: '-' }}", { list: ["a", "b"] }, "a-b"],
  ["last", "{% assign p = people | last %}{{ p.name }}", { people }, "Bea"],
  [
    "order_by",
    "{{ people | order_by: 'name' | select: 'name' | join: ',' }}|{{ people | order_by: 'age', 'desc' | select: 'name' | join: ',' }}",
    { people },
    "Ana,Bea,Cleo|Cleo,Ana,Bea",
  ],
  ["random", "{% assign r = list | random %}{% if r == 7 %}ok{% endif %}", { list: [7] }, "ok"],
  ["select", "{{ people | select: 'age' | join: ',' }}", { people }, "30,25,25"],
  ["shuffle", "{{ list | shuffle | size }}", { list: [1, 2, 3] }, "3"],
  ["size", "{{ list | size }}{{ 'abc' | size }}", { list: [1, 2] }, "23"],
  ["skip", "{{ list | skip: 2 | join: ',' }}", { list: [1, 2, 3, 4] }, "3,4"],
  ["take", "{{ list | take: 2 | join: ',' }}", { list: [1, 2, 3, 4] }, "1,2"],
  [
    "then_by",
    "{{ people | order_by: 'age' | then_by: 'name', 'desc' | select: 'name' | join: ',' }}",
    { people },
    "Bea,Ana,Cleo",
  ],
  ["where", "{{ people | where: 'city', 'Paris' | select: 'name' | join: ',' }}", { people }, "Cleo,Bea"],
  // dates (.NET formats, UTC)
  ["date custom", "{{ d | date: 'MMMM dd, yyyy HH:mm' }}", { d: jan5 }, "January 05, 2026 14:07"],
  ["date standard g", "{{ d | date: 'g' }}", { d: jan5 }, "1/5/2026 2:07 PM"],
  [
    "date fr-FR",
    "{{ d | date: 'dddd d MMMM yyyy' }}|{{ d | date: 'd' }}",
    { d: jan5, language: { code: "fr-FR" } },
    "lundi 5 janvier 2026|05/01/2026",
  ],
  ["date_add_days", "{{ d | date_add_days: 3 | date: 'yyyy-MM-dd' }}", { d: jan5 }, "2026-01-08"],
  ["date_add_hours", "{{ d | date_add_hours: -2 | date: 'HH' }}", { d: jan5 }, "12"],
  ["date_add_minutes", "{{ d | date_add_minutes: 60 | date: 'HH:mm' }}", { d: jan5 }, "15:07"],
  ["date_add_months", "{{ d | date_add_months: 2 | date: 'MM' }}", { d: jan5 }, "03"],
  ["date_add_seconds", "{{ d | date_add_seconds: 51 | date: 'mm:ss' }}", { d: jan5 }, "08:00"],
  ["date_add_years", "{{ d | date_add_years: 1 | date: 'yyyy' }}", { d: jan5 }, "2027"],
  ["date_to_iso8601", "{{ d | date_to_iso8601 }}", { d: jan5 }, "2026-01-05T14:07:09Z"],
  ["date_to_rfc822", "{{ d | date_to_rfc822 }}", { d: jan5 }, "Mon, 05 Jan 2026 14:07:09 Z"],
  // escaping
  ["escape", "{{ s | escape }}", { s: "<a href='x'>&</a>" }, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"],
  ["h", "{{ s | h }}", { s: '"<b>"' }, "&quot;&lt;b&gt;&quot;"],
  [
    "html_safe_escape",
    "{{ s | html_safe_escape }}",
    { s: '<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:x">l</a></p>' },
    "<p>Hi <a>l</a></p>",
  ],
  ["url_escape", "{{ s | url_escape }}", { s: "a b&c/d" }, "a%20b%26c%2Fd"],
  ["xml_escape", "{{ s | xml_escape }}", { s: '<x a="1">' }, "&lt;x a=&quot;1&quot;&gt;"],
  ["xml_escape apostrophe", "{{ s | xml_escape }}", { s: "it's & co" }, "it&apos;s &amp; co"],
  // lists
  ["current_sort", "{{ 'name ASC, createdon DESC' | current_sort: 'createdon' }}", {}, "DESC"],
  [
    "metafilters",
    "{% assign f = s | metafilters %}{{ f.size }}{{ f[0].name }}",
    { s: '[{"name":"City"},{"name":"Type"}]' },
    "2City",
  ],
  ["reverse_sort", "{{ 'ASC' | reverse_sort }}{{ 'desc' | reverse_sort }}", {}, "DESCASC"],
  // math
  ["ceil", "{{ 1.2 | ceil }}", {}, "2"],
  ["divided_by", "{{ 10 | divided_by: 4 }}", {}, "2.5"],
  ["floor", "{{ 1.8 | floor }}", {}, "1"],
  ["minus", "{{ 5 | minus: 2 }}", {}, "3"],
  ["modulo", "{{ 7 | modulo: 3 }}", {}, "1"],
  ["plus", "{{ 5 | plus: 2 }}", {}, "7"],
  ["round", "{{ 1.256 | round: 2 }}", {}, "1.26"],
  ["times", "{{ 3 | times: 4 }}", {}, "12"],
  // strings
  ["append", "{{ 'a' | append: 'b' }}", {}, "ab"],
  ["capitalize", "{{ 'hello world' | capitalize }}", {}, "Hello world"],
  ["downcase", "{{ 'ABC' | downcase }}", {}, "abc"],
  ["newline_to_br", "{{ s | newline_to_br }}", { s: "a\nb" }, "a<br />\nb"],
  ["prepend", "{{ 'b' | prepend: 'a' }}", {}, "ab"],
  ["remove", "{{ 'a-b-c' | remove: '-' }}", {}, "abc"],
  ["remove_first", "{{ 'a-b-c' | remove_first: '-' }}", {}, "ab-c"],
  ["replace", "{{ 'a-b-c' | replace: '-', '+' }}", {}, "a+b+c"],
  ["replace_first", "{{ 'a-b-c' | replace_first: '-', '+' }}", {}, "a+b-c"],
  ["split", "{{ 'a,b' | split: ',' | last }}", {}, "b"],
  ["strip_html", "{{ '<b>bold</b>' | strip_html }}", {}, "bold"],
  ["strip_newlines", "{{ s | strip_newlines }}", { s: "a\nb\r\nc" }, "abc"],
  [
    "text_to_html",
    "{{ s | text_to_html }}",
    { s: "Hi <you>\nsee https://x.test/a\n\nBye" },
    '<p>Hi &lt;you&gt;<br />\nsee <a href="https://x.test/a">https://x.test/a</a></p>\n<p>Bye</p>',
  ],
  ["truncate", "{{ 'abcdefghij' | truncate: 6 }}", {}, "abc..."],
  ["truncate_words", "{{ 'one two three four' | truncate_words: 2 }}", {}, "one two..."],
  ["upcase", "{{ 'abc' | upcase }}", {}, "ABC"],
  // types
  ["boolean", "{{ 'TRUE' | boolean }}|{{ 'false' | boolean }}|{{ 'x' | boolean }}", {}, "true|false|"],
  ["decimal", "{{ '10.5' | decimal | plus: 1 }}", {}, "11.5"],
  ["integer", "{{ '10.7' | integer }}|{{ 'x' | integer }}", {}, "10|"],
  ["string", "{{ 12 | string | append: 'x' }}", {}, "12x"],
  // URLs
  [
    "add_query",
    "{{ 'https://a.test/p?x=1' | add_query: 'y', 2 }}|{{ '/p' | add_query: 'x', 'a b' }}",
    {},
    "https://a.test/p?x=1&y=2|/p?x=a+b",
  ],
  ["base", "{{ 'https://a.test:8443/p?q=1' | base }}", {}, "https://a.test:8443"],
  ["host", "{{ 'https://a.test:8443/p' | host }}", {}, "a.test"],
  ["path", "{{ 'https://a.test/p/q?x=1' | path }}", {}, "/p/q"],
  ["path_and_query", "{{ 'https://a.test/p?x=1' | path_and_query }}", {}, "/p?x=1"],
  ["port", "{{ 'https://a.test/p' | port }}|{{ 'http://a.test:81/' | port }}", {}, "443|81"],
  ["remove_query", "{{ 'https://a.test/p?x=1&y=2' | remove_query: 'x' }}", {}, "https://a.test/p?y=2"],
  ["scheme", "{{ 'https://a.test/p' | scheme }}", {}, "https"],
  // other
  [
    "default",
    "{{ n | default: 'd' }}|{{ e | default: 'd' }}|{{ f | default: 'd' }}",
    { e: "", f: false },
    "d||false",
  ],
  [
    "file_size",
    "{{ 10000000 | file_size }}|{{ 2050 | file_size: 0 }}|{{ 500 | file_size }}",
    {},
    "9.5 MB|2 KB|500 B",
  ],
  [
    "has_role",
    "{{ user | has_role: 'administrators' }}|{{ user | has_role: 'Nope' }}|{{ nobody | has_role: 'x' }}",
    { user: { roles: ["Administrators"] } },
    "true|false|false",
  ],
  [
    "liquid",
    "{{ s | liquid }}",
    { s: "{% if n == 2 %}two{% elseif n == 3 %}three{% endif %}", n: 3 },
    "three",
  ],
];

describe("Power Pages filters", () => {
  it.each(cases)("%s", async (_name, source, scope, expected) => {
    expect(await render(source, scope)).toBe(expected);
  });

  it("rejects a filter Power Pages does not have (json is liquidjs-only) with template, line and column", async () => {
    await expect(render("a\n  {{ x | json }}", { x: 1 })).rejects.toMatchObject({
      code: "TEMPLATE_ERROR",
      templateName: "Test Template",
      line: 2,
      column: 3,
    });
  });
});
