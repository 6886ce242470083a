-- Galt's membership table for Orleans' ADO.NET clustering on PostgreSQL (9.5 or later).
--
-- Orleans reads the SQL it runs from the table OrleansQuery (one row per query key) and reads and writes the
-- membership through it: the query keys, parameter names (@DeploymentId, ...), result column names and the tables'
-- columns below are Orleans' contract; how each query is written is ours. A query that reports success returns one
-- row with one column greater than zero; a conditional write that loses a race raises an error, which rolls the
-- whole statement back and makes Orleans read the table again and retry.
--
-- Installed by Galt.Orleans.PostgreSqlClustering.InstallSchemaAsync (the first `galt silo --membership ...`
-- does it) inside one transaction under an advisory lock, so silos that start together install it once.

CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

-- One row per cluster (Orleans' deployment id): the membership's version, raised by every change.
CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL PRIMARY KEY,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- Raises the cluster's version from expected_version by one; an error when it is no longer expected_version.
CREATE FUNCTION galt_membership_bump_version(deployment varchar, expected_version integer) RETURNS void AS
$body$
BEGIN
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1, Timestamp = now()
     WHERE DeploymentId = deployment AND Version = expected_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'membership version of % is no longer %', deployment, expected_version
              USING ERRCODE = 'serialization_failure';
    END IF;
END
$body$ LANGUAGE plpgsql;

-- A new silo row and the version raise, both or neither.
CREATE FUNCTION galt_membership_insert(
    deployment varchar, address_ varchar, port_ integer, generation_ integer, silo_name varchar, host_name varchar,
    status_ integer, proxy_port integer, start_time timestamptz, i_am_alive timestamptz, expected_version integer)
RETURNS integer AS
$body$
BEGIN
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (deployment, address_, port_, generation_, silo_name, host_name, status_, proxy_port, start_time, i_am_alive)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    PERFORM galt_membership_bump_version(deployment, expected_version);
    RETURN 1;
END
$body$ LANGUAGE plpgsql;

-- A silo row's status, suspicions and liveness, and the version raise, both or neither.
CREATE FUNCTION galt_membership_update(
    deployment varchar, address_ varchar, port_ integer, generation_ integer, status_ integer, suspect_times varchar,
    i_am_alive timestamptz, expected_version integer)
RETURNS integer AS
$body$
BEGIN
    PERFORM galt_membership_bump_version(deployment, expected_version);
    UPDATE OrleansMembershipTable
       SET Status = status_, SuspectTimes = suspect_times, IAmAliveTime = i_am_alive
     WHERE DeploymentId = deployment AND Address = address_ AND Port = port_ AND Generation = generation_;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no membership row for %:%@% in %', address_, port_, generation_, deployment
              USING ERRCODE = 'no_data_found';
    END IF;
    RETURN 1;
END
$body$ LANGUAGE plpgsql;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey',
 'WITH added AS (INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
                 ON CONFLICT DO NOTHING RETURNING 1)
  SELECT count(*)::integer FROM added;'),

('InsertMembershipKey',
 'SELECT galt_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                                @ProxyPort, @StartTime, @IAmAliveTime, @Version);'),

('UpdateMembershipKey',
 'SELECT galt_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                @IAmAliveTime, @Version);'),

('UpdateIAmAlivetimeKey',
 'UPDATE OrleansMembershipTable SET IAmAliveTime = @IAmAliveTime
   WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;'),

-- The version row comes back even when the silo has no row (Orleans reads a row without StartTime as "no entry").
('MembershipReadRowKey',
 'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
         m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m
      ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
   WHERE v.DeploymentId = @DeploymentId;'),

('MembershipReadAllKey',
 'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
         m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
   WHERE v.DeploymentId = @DeploymentId;'),

('DeleteMembershipTableEntriesKey',
 'DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
  DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;'),

('GatewaysQueryKey',
 'SELECT Address, ProxyPort, Generation FROM OrleansMembershipTable
   WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;'),

-- Rows of silos that stopped reporting before @IAmAliveTime, except active ones (status 3).
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM OrleansMembershipTable
   WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;');
