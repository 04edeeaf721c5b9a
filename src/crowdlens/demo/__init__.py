"""Demo data that crowdlens owns: procedural pictures with known answers.

``crowdlens.demo.characters`` draws cartoon characters with Pillow shapes and writes a
manifest of their true attributes (see docs/demo-data.md).
"""
