-- The metadata definitions catalog (spec/metadefs.md): namespaces and what they hold. Children
-- go with their namespace (ON DELETE CASCADE); resource types are global and outlive their
-- associations. Property fragments and object properties are kept as the JSON they were given
-- (jsonb), so that an export gives back what a load read.
CREATE TABLE metadef_namespaces (
  id           bigserial   PRIMARY KEY,
  namespace    text        NOT NULL UNIQUE,
  display_name text,
  description  text,
  -- null only for definitions loaded from files that name none (Glance keeps them null too)
  visibility   text,
  protected    boolean,
  owner        text,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);

CREATE INDEX metadef_namespaces_owner_idx ON metadef_namespaces (owner);

CREATE TABLE metadef_resource_types (
  id         bigserial   PRIMARY KEY,
  name       text        NOT NULL UNIQUE,
  -- created by a catalog load (Glance's "system" resource types)
  protected  boolean     NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE metadef_namespace_resource_types (
  namespace_id      bigint      NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  resource_type_id  bigint      NOT NULL REFERENCES metadef_resource_types (id),
  prefix            text,
  properties_target text,
  -- insertion order, the order associations are listed in
  seq               bigserial   NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (namespace_id, resource_type_id)
);

CREATE INDEX metadef_namespace_resource_types_rt_idx ON metadef_namespace_resource_types (resource_type_id);

CREATE TABLE metadef_objects (
  id           bigserial   PRIMARY KEY,
  namespace_id bigint      NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name         text        NOT NULL,
  description  text,
  required     jsonb,
  properties   jsonb,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  UNIQUE (namespace_id, name)
);

CREATE TABLE metadef_properties (
  id           bigserial   PRIMARY KEY,
  namespace_id bigint      NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name         text        NOT NULL,
  schema       jsonb       NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  UNIQUE (namespace_id, name)
);

CREATE TABLE metadef_tags (
  id           bigserial   PRIMARY KEY,
  namespace_id bigint      NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name         text        NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);

-- tag names are unique per namespace regardless of case (spec/metadefs.md §1, ERRATA 8)
CREATE UNIQUE INDEX metadef_tags_name_idx ON metadef_tags (namespace_id, lower(name));
