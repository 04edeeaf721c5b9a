"""Repository functions for projects. Every argument after the session is keyword-only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.errors import Conflict, NotFound
from crowdlens.schema import LabelSchema
from crowdlens.store.tables import Project


def create_project(session: Session, *, schema: LabelSchema) -> Project:
    """Store a new project; a project of the same name is a :class:`Conflict`."""
    if find_project(session, name=schema.name) is not None:
        raise Conflict(
            f"expected a new project name, got {schema.name!r} which exists; "
            "choose another name or use the existing project"
        )
    project = Project(name=schema.name, config=schema.model_dump(mode="json"))
    session.add(project)
    session.flush()
    return project


def find_project(session: Session, *, name: str) -> Project | None:
    return session.scalars(select(Project).where(Project.name == name)).one_or_none()


def get_project(session: Session, *, name: str) -> Project:
    """The project called ``name``, or :class:`NotFound` listing the ones that exist."""
    project = find_project(session, name=name)
    if project is None:
        known = ", ".join(p.name for p in list_projects(session)) or "none yet"
        raise NotFound(
            f"expected an existing project, got {name!r} (projects: {known}); "
            "create it with `crowdlens project create --config FILE`"
        )
    return project


def list_projects(session: Session) -> list[Project]:
    return list(session.scalars(select(Project).order_by(Project.name)))


def project_schema(project: Project) -> LabelSchema:
    """The project's label schema, rebuilt from its stored JSON."""
    return LabelSchema.model_validate(project.config)
