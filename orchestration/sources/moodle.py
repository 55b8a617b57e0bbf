"""The Moodle contract tables (contracts/moodle.md), shared by eCampus and the external platforms.

Table names are the contract's, without the site's table prefix. Incremental cursors where the contract
gives the table a modification time (`user`, `course`, `user_enrolments`: timemodified/timecreated;
`feedback_completed`: timemodified), or where Moodle's behaviour gives one (see CURSORS, PARENTS); every
other table is small and read whole. Only rows whose values changed are written; a key scan of every
incremental table flags the rows Moodle removed. A full reload re-reads everything.

Personal data (moodle.md `user`): username, email, firstname and lastname are replaced at extraction by
`username_key` (keyed hash of lower(trim(username))), `email_key`, `email_domain`, `name_key` and
`name_token_keys`, plus the flag `is_guest_account` (username 'guest'). A deleted user (deleted = 1) has an MD5 hash for e-mail: it gets no e-mail key or domain.
With them the review queue's similarity features, keyed hashes too (pseudonymise.People): `email_local_key`,
`phonetic_token_keys`.
`user_info_data.data` of the `birthyear` profile field becomes `birth_year_key` and `birth_decade_key`
(data null); the other profile fields (gender, constituent) stay in clear.
"""
from __future__ import annotations

import pyarrow as pa

from orchestration import pseudonymise
from orchestration.extract.contract import Column, TableContract
from orchestration.pseudonymise import People
from orchestration.stewardship import features

USERS = People(email="email", first="firstname", last="lastname", username="username")
# What the source_watermarks of eCampus and the platforms show: their newest enrolment change.
WATERMARK = "max(to_timestamp(greatest(timemodified, timecreated)))"

COLUMNS: dict[str, tuple[str, ...]] = {
    "user": ("id", "auth", "deleted", "suspended", "username", "email", "firstname", "lastname", "country",
             "lang", "timecreated", "timemodified"),
    "user_info_field": ("id", "shortname", "datatype", "param1"),
    "user_info_data": ("id", "userid", "fieldid", "data"),
    "course": ("id", "category", "fullname", "shortname", "idnumber", "startdate", "enddate", "visible",
               "timecreated", "timemodified"),
    "course_categories": ("id", "name", "idnumber", "parent", "path"),
    "enrol": ("id", "enrol", "courseid", "status"),
    "user_enrolments": ("id", "status", "enrolid", "userid", "timestart", "timeend", "timecreated",
                        "timemodified"),
    "context": ("id", "contextlevel", "instanceid"),
    "role": ("id", "shortname"),
    "role_assignments": ("id", "roleid", "contextid", "userid"),
    "modules": ("id", "name"),
    "course_modules": ("id", "course", "module", "instance", "idnumber"),
    "quiz": ("id", "course", "name", "sumgrades", "grade"),
    "quiz_attempts": ("id", "quiz", "userid", "attempt", "state", "preview", "timestart", "timefinish", "sumgrades"),
    "grade_items": ("id", "courseid", "itemtype", "itemmodule", "iteminstance", "grademax", "gradepass"),
    "feedback": ("id", "course", "name", "anonymous"),
    "feedback_item": ("id", "feedback", "label", "typ", "presentation"),
    "feedback_completed": ("id", "feedback", "userid", "timemodified", "anonymous_response", "courseid"),
    "feedback_value": ("id", "item", "completed", "value"),
}

CURSORS: dict[str, tuple[str, ...]] = {
    "user": ("timemodified", "timecreated"),
    "course": ("timemodified", "timecreated"),
    "user_enrolments": ("timemodified", "timecreated"),
    "feedback_completed": ("timemodified",),
    # A role assignment is never updated in place (Moodle deletes and inserts): new rows have larger ids.
    "role_assignments": ("id",),
    # An attempt changes when it finishes (timefinish set); staff regrades and inprogress → abandoned are
    # not seen before a full reload (neither changes a finished attempt's counting).
    "quiz_attempts": ("timestart", "timefinish"),
}
# Child tables read through their parent's time (profile data with its user; answers with their
# submission): see TableContract.parent.
PARENTS: dict[str, tuple[str, str]] = {
    "user_info_data": ("user", "userid"),
    "feedback_value": ("feedback_completed", "completed"),
}

ECAMPUS_TABLES = tuple(COLUMNS)  # every table of the contract, in an order where fields precede their data
PLATFORM_TABLES = ("user", "course", "course_categories", "enrol", "user_enrolments", "context", "role",
                   "role_assignments")


TEXT_COLUMNS = {"auth", "username", "email", "firstname", "lastname", "country", "lang", "shortname", "datatype",
                "param1", "data", "fullname", "idnumber", "name", "path", "enrol", "state", "itemtype",
                "itemmodule", "label", "typ", "presentation", "value"}
DECIMAL_COLUMNS = {"sumgrades", "grade", "grademax", "gradepass"}


def _column(name: str) -> Column:
    """Moodle's column types (for the empty raw tables of a deployment without that Moodle)."""
    return Column(name, "text" if name in TEXT_COLUMNS else "float" if name in DECIMAL_COLUMNS else "int")


def _flag_guest(batch: pa.Table) -> pa.Table:
    # The guest account is known by its username, which is not kept: flag it before it is hashed away.
    usernames = batch.column("username").to_pylist()
    return batch.append_column("is_guest_account", pa.array(
        [(u or "").strip().lower() == "guest" for u in usernames], pa.bool_()))


def contracts(tables: tuple[str, ...]) -> list[TableContract]:
    """Fresh contracts for one extraction (the profile-field transform remembers the birthyear field ids)."""
    birthyear_fields: set = set()

    def remember_birthyear_fields(batch: pa.Table) -> pa.Table:
        for field_id, shortname in zip(batch.column("id").to_pylist(), batch.column("shortname").to_pylist()):
            if shortname is not None and str(shortname).strip().lower() == "birthyear":
                birthyear_fields.add(field_id)
        return batch

    def pseudonymise_birth_years(batch: pa.Table) -> pa.Table:
        fields = batch.column("fieldid").to_pylist()
        data = batch.column("data").to_pylist()
        cache: dict = {}
        keys, kept = [], []
        for field_id, value in zip(fields, data):
            if field_id in birthyear_fields:
                if value not in cache:  # the year's key and its decade's (the review queue's feature)
                    cache[value] = (pseudonymise.birth_year_key(value), features.birth_decade_key(value))
                keys.append(cache[value])
                kept.append(None)
            else:
                keys.append((None, None))
                kept.append(value)
        index = batch.schema.get_field_index("data")
        batch = batch.set_column(index, "data", pa.array(kept, type=pa.string()))
        batch = batch.append_column("birth_year_key", pa.array([k[0] for k in keys], type=pa.string()))
        return batch.append_column("birth_decade_key", pa.array([k[1] for k in keys], type=pa.string()))

    transforms = {
        "user": _flag_guest,
        "user_info_field": remember_birthyear_fields,
        "user_info_data": pseudonymise_birth_years,
    }
    return [
        TableContract(
            name,
            tuple(_column(c) for c in COLUMNS[name]),
            key=("id",),
            cursor=CURSORS.get(name, ()),
            people=USERS if name == "user" else None,
            erase_on_vanish=USERS.keys if name == "user" else (),
            transform=transforms.get(name),
            parent=PARENTS.get(name) if PARENTS.get(name, ("",))[0] in tables else None,
            watermark=WATERMARK if name == "user_enrolments" else None,
        )
        for name in tables
    ]
