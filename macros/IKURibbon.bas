Attribute VB_Name = "IKURibbon"
' Ribbon callbacks of the IKU add-in (iku_excel.xlam).
'
' Each button of the "IKU" ribbon tab (customUI/customUI14.xml) calls one Sub below, which runs
' one function of the Python module iku_excel.ribbon through xlwings' RunPython. The Python side
' reports its own errors in a message box and a log file; this module only guards obvious user
' mistakes and reports a failure to start Python at all.
'
' Source of truth: macros/IKURibbon.bas in the iku-excel repository; macros/build_addin.py puts
' it into the add-in. Edit it there, not in the VBA editor.
Option Explicit

Private Const MSG_TITLE As String = "IKU"

Public Sub Periksa(control As IRibbonControl)
    RunIku "import iku_excel.ribbon; iku_excel.ribbon.check()", "Memeriksa workbook...", True
End Sub

Public Sub PerbaruiCapaian(control As IRibbonControl)
    RunIku "import iku_excel.ribbon; iku_excel.ribbon.refresh()", "Memperbarui capaian...", True
End Sub

Public Sub AdopsiTabel(control As IRibbonControl)
    RunIku "import iku_excel.ribbon; iku_excel.ribbon.adopt()", "Memetakan tabel capaian...", True
End Sub

Public Sub RekapFolder(control As IRibbonControl)
    RunIku "import iku_excel.ribbon; iku_excel.ribbon.rekap_folder()", "Merekap folder...", False
End Sub

Public Sub TemplatBaru(control As IRibbonControl)
    RunIku "import iku_excel.ribbon; iku_excel.ribbon.new_workbook()", "Membuat workbook baru dari templat...", False
End Sub

Public Sub Bantuan(control As IRibbonControl)
    RunIku "import iku_excel.ribbon; iku_excel.ribbon.help()", "Membuka bantuan...", False
End Sub

' Runs one Python command for the active workbook, with the status bar set while it runs.
' needsSavedWorkbook: the command reads the workbook's file, so it must have been saved once.
Private Sub RunIku(ByVal ikuCommand As String, ByVal ikuStatus As String, ByVal needsSavedWorkbook As Boolean)
    Dim wb As Workbook
    Set wb = ActiveWorkbook
    If wb Is Nothing Then
        MsgBox "Buka workbook IKU (atau sebuah workbook kosong) terlebih dahulu.", vbExclamation, MSG_TITLE
        Exit Sub
    End If
    If needsSavedWorkbook And wb.Path = vbNullString Then
        MsgBox "Simpan workbook ini (""" & wb.Name & """) terlebih dahulu.", vbExclamation, MSG_TITLE
        Exit Sub
    End If

    On Error GoTo Failed
    Application.StatusBar = "IKU: " & ikuStatus
    RunPython ikuCommand
    Application.StatusBar = False
    Exit Sub

Failed:
    Application.StatusBar = False
    MsgBox "Perintah IKU gagal dijalankan: " & Err.Description & vbNewLine & _
        "Pastikan Python dan paket iku-excel sudah terpasang.", vbCritical, MSG_TITLE
End Sub
