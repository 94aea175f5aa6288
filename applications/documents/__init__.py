"""The registration form as files: Table A.1 rendered to PDF (WeasyPrint) and Word (python-docx)
by a background job, stored as ApplicationDocument rows, one per version and format.

    html.py     the form's content as plain values, and the print HTML
    pdf.py      print HTML → PDF
    docx.py     the same content → .docx
    service.py  schedule_render (starts the job) and render_documents (what the job does)
"""
