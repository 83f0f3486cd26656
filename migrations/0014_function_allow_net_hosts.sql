-- `@fluxbase:allow-net <host[:port]>, …` (a Fluxbase Local addition): destinations on this
-- machine or its private networks, otherwise denied to job code, that the function may
-- reach. allow_net stays true when hosts are named.
ALTER TABLE jobs.functions ADD COLUMN allow_net_hosts text[] NOT NULL DEFAULT '{}';
