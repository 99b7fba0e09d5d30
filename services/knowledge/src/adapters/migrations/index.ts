/**
 * Schema migrations, applied in order at start inside one transaction each. Append only: a
 * published migration is never edited, a change is a new entry.
 */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'events, incidents, action statistics, audit trail',
    sql: `
      CREATE TABLE events (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        version integer NOT NULL,
        source text NOT NULL,
        time timestamptz NOT NULL,
        target text NOT NULL,
        incident_id uuid,
        causation_id uuid,
        data jsonb NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX events_incident_idx ON events (incident_id, time);
      CREATE INDEX events_target_type_time_idx ON events (target, type, time);

      CREATE TABLE incidents (
        id uuid PRIMARY KEY,
        target text NOT NULL,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        status text NOT NULL,
        cause text,
        confidence double precision,
        plan_id uuid,
        plan_status text,
        execution_status text,
        outcome text,
        closed_at timestamptz
      );
      CREATE INDEX incidents_opened_idx ON incidents (opened_at DESC);

      CREATE TABLE action_stats (
        cause text NOT NULL,
        action text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        successes integer NOT NULL DEFAULT 0,
        partials integer NOT NULL DEFAULT 0,
        ineffective integer NOT NULL DEFAULT 0,
        degradations integer NOT NULL DEFAULT 0,
        unknown integer NOT NULL DEFAULT 0,
        ttr_count integer NOT NULL DEFAULT 0,
        ttr_sum_ms double precision NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (cause, action)
      );

      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        event_type text NOT NULL,
        source text NOT NULL,
        recorded_at timestamptz NOT NULL,
        payload_sha256 text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END;
      $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    `,
  },
];
