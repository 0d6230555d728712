"""Packages for setuptools; everything else is in pyproject.toml.

`resources/` stays at the top of the repository (the project's layout) and is installed as the
data folder `vision_agent/resources` (wheel, sdist and editable installs alike; every folder in it
is listed as a data-only package so setuptools copies all its files).
`vision_agent.paths.resources_dir` looks there first, then beside the package in a checkout.
"""

from setuptools import find_namespace_packages, find_packages, setup

RESOURCES = "vision_agent.resources"
resource_packages = [
    RESOURCES,
    *(f"{RESOURCES}.{name}" for name in find_namespace_packages(where="resources")),
]

setup(
    packages=[*find_packages(include=["vision_agent", "vision_agent.*"]), *resource_packages],
    package_dir={RESOURCES: "resources"},
    package_data={name: ["*"] for name in resource_packages},
)
